using Alerts.Core.Tickers;

namespace Alerts.Host.Options;

/// <summary>
/// The keys directly under <c>Alerts</c> (SPEC §11). Every sub-section has its own options class, bound from its own
/// section once and validated once: <see cref="Alerts.Storage.StorageOptions"/>, <see cref="Alerts.Core.Subscriptions.SubscriptionLimits"/>,
/// <see cref="PollingOptions"/>, <see cref="Alerts.Core.Delivery.DispatchOptions"/>, <see cref="LeaseOptions"/>,
/// <see cref="WebhookOptions"/>, <see cref="DashboardOptions"/>, <see cref="HealthOptions"/>, and the adapters' own.
/// </summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    public List<SourceDefinition> Sources { get; set; } = [];

    /// <summary>Subscriptions seeded at start-up, so a fresh install shows alerts on the console without any chat token.</summary>
    public List<ConfiguredSubscription> ConsoleSubscriptions { get; set; } = [];

    /// <summary>Names this process in leases and its Hangfire queue; defaults to the machine name and a hash of the working directory, stable across restarts.</summary>
    public string? InstanceId { get; set; }
}

/// <summary><c>Alerts:Polling</c>.</summary>
public sealed class PollingOptions
{
    public const string Section = "Alerts:Polling";

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
public sealed class LeaseOptions
{
    public const string Section = "Alerts:Leases";

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
public sealed class WebhookOptions
{
    public const string Section = "Alerts:Webhook";

    public string? Url { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>0 = unlimited.</summary>
    public int GlobalPerSecond { get; set; }

    /// <summary>0 = unlimited.</summary>
    public int PerSubscriberPerSecond { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(Url);
}

/// <summary><c>Alerts:Dashboard</c>: with both set, <c>/hangfire</c> asks for basic auth from anywhere; otherwise local requests only.</summary>
public sealed class DashboardOptions
{
    public const string Section = "Alerts:Dashboard";

    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool HasCredentials => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);

    /// <summary>
    /// Reverse proxies (IP addresses) whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are believed. None by
    /// default: then no forwarding header changes the client address, and a request that carries one is never local.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];
}

/// <summary><c>Alerts:Health</c>: when <c>/healthz</c> stops saying the service works.</summary>
public sealed class HealthOptions
{
    public const string Section = "Alerts:Health";

    /// <summary>
    /// Unhealthy (503) when no source has polled successfully for this long (counted from start-up until the first
    /// success). Longer than the slowest interval plus a few backed-off retries, so one slow ticker is not an outage.
    /// </summary>
    public TimeSpan NoSuccessfulPollFor { get; set; } = TimeSpan.FromMinutes(30);
}
