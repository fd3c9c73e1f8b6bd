using Alerts.Core.Delivery;
using Alerts.Core.Tickers;

namespace Alerts.Host.Options;

/// <summary>The <c>Alerts</c> configuration section (SPEC §11). Adapters bind their own sub-sections.</summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    public List<SourceDefinition> Sources { get; set; } = [];

    public StorageSettings Storage { get; set; } = new();

    public LimitsSettings Limits { get; set; } = new();

    public PollingSettings Polling { get; set; } = new();

    public DispatchOptions Dispatch { get; set; } = new();

    public LeaseSettings Leases { get; set; } = new();

    /// <summary>Subscriptions seeded at start-up, so a fresh install shows alerts on the console without any chat token.</summary>
    public List<ConfiguredSubscription> ConsoleSubscriptions { get; set; } = [];

    public WebhookSettings Webhook { get; set; } = new();

    public DashboardSettings Dashboard { get; set; } = new();

    /// <summary>Names this process in leases and its Hangfire queue; defaults to the machine name and a hash of the working directory, stable across restarts.</summary>
    public string? InstanceId { get; set; }
}

public sealed class StorageSettings
{
    /// <summary><c>Sqlite</c> or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = "Sqlite";

    public string ConnectionString { get; set; } = "Data Source=data/alerts.db";

    public bool IsPostgres => string.Equals(Provider, "Postgres", StringComparison.OrdinalIgnoreCase);
}

public sealed class LimitsSettings
{
    public int MaxSubscriptionsPerSubscriber { get; set; } = 50;

    public int MaxQueryLength { get; set; } = 256;
}

/// <summary><c>Alerts:Polling</c>.</summary>
public sealed class PollingSettings
{
    /// <summary>False runs a dispatch-only instance (and keeps the crash test away from any ticker).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whole fetch including one quick retry.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest wait between polls of a failing source.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Largest page accepted, in bytes.</summary>
    public int MaxResponseBytes { get; set; } = 16 * 1024 * 1024;

    public string UserAgent { get; set; } = "Alerts/1.0 (+self-hosted ticker alert bot)";
}

/// <summary><c>Alerts:Leases</c>: how long a <c>poll:{id}</c> or <c>dispatch</c> lease lasts without renewal.</summary>
public sealed class LeaseSettings
{
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>One entry of <c>Alerts:ConsoleSubscriptions</c>.</summary>
public sealed class ConfiguredSubscription
{
    /// <summary>Address within the platform: <c>demo</c> becomes subscriber <c>console:demo</c>.</summary>
    public string Subscriber { get; set; } = "";

    public string Query { get; set; } = "";

    public string? Source { get; set; }

    /// <summary><c>console</c> (default) or <c>webhook</c>.</summary>
    public string Platform { get; set; } = Alerts.Core.Subscriptions.Platforms.Console;
}

/// <summary><c>Alerts:Webhook</c>: a generic HTTP channel (platform <c>webhook</c>), on when <see cref="Url"/> is set.</summary>
public sealed class WebhookSettings
{
    public string? Url { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>0 = unlimited.</summary>
    public int GlobalPerSecond { get; set; }

    /// <summary>0 = unlimited.</summary>
    public int PerSubscriberPerSecond { get; set; }
}

/// <summary><c>Alerts:Dashboard</c>: with both set, <c>/hangfire</c> asks for basic auth from anywhere; otherwise local requests only.</summary>
public sealed class DashboardSettings
{
    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool HasCredentials => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);

    /// <summary>
    /// Reverse proxies (IP addresses) whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are believed. None by
    /// default: then no forwarding header changes the client address, and a request that carries one is never local.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];
}
