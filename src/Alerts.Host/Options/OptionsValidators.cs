using System.Text.RegularExpressions;
using Alerts.Core.Delivery;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Options;

/// <summary>
/// The checks of one options class. Every message starts with the configuration key at fault (SPEC §10); start-up
/// prints them all under <c>Invalid configuration:</c>.
/// </summary>
internal abstract class OptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = new Problems();
        Check(options, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    protected abstract void Check(TOptions options, Problems problems);
}

/// <summary>Collects one line per bad key.</summary>
internal sealed class Problems : List<string>
{
    public void Positive(string key, int value)
    {
        if (value <= 0)
        {
            Add($"{key} must be greater than 0");
        }
    }

    public void Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Add($"{key} must be greater than 00:00:00");
        }
    }

    public void HttpUrl(string key, string? value)
    {
        if (!IsHttpUrl(value))
        {
            Add($"{key} must be an absolute http(s) URL");
        }
    }

    public static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);
}

/// <summary><c>Alerts:Sources</c>, <c>Alerts:ConsoleSubscriptions</c> and <c>Alerts:InstanceId</c>.</summary>
internal sealed partial class AlertsOptionsValidator(IOptions<SubscriptionLimits> limits) : OptionsValidator<AlertsOptions>
{
    public static readonly TimeSpan MinPollInterval = TimeSpan.FromSeconds(2);

    protected override void Check(AlertsOptions options, Problems errors)
    {
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var articles = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var s = options.Sources[i];
            var key = $"Alerts:Sources:{i}";
            if (string.IsNullOrWhiteSpace(s.Id))
            {
                errors.Add($"{key}:Id is required");
            }
            else if (!IdPattern().IsMatch(s.Id))
            {
                errors.Add($"{key}:Id '{s.Id}' may contain only letters, digits, '-', '_' and '.'");
            }
            else if (!ids.Add(s.Id))
            {
                errors.Add($"{key}:Id '{s.Id}' is used by another source; ids must be unique");
            }

            if (!string.IsNullOrEmpty(s.Kind) && !SourceKinds.All.Contains(s.Kind, StringComparer.Ordinal))
            {
                errors.Add($"{key}:Kind '{s.Kind}' is unknown; use one of {string.Join(", ", SourceKinds.All)} or leave it empty to auto-detect");
            }

            if (!Uri.TryCreate(s.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{key}:Url must be an absolute http(s) URL");
            }
            else if (s.Kind == SourceKinds.NtvLiveticker)
            {
                // The slug changes with every entry; the article id is what identifies the page.
                var article = NtvLivetickerParser.ExtractArticleId(url.AbsolutePath);
                if (article is null)
                {
                    errors.Add($"{key}:Url must be an ntv.de article address ending in -articleNNNN.html or -idNNNN.html");
                }
                else if (articles.TryGetValue(article, out var other))
                {
                    errors.Add($"{key}:Url is article {article}, which source '{other}' already polls");
                }
                else
                {
                    articles[article] = s.Id;
                }
            }

            if (s.PollInterval < MinPollInterval)
            {
                errors.Add($"{key}:PollInterval must be at least 00:00:02 (is {s.PollInterval})");
            }

            try
            {
                _ = TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
            {
                errors.Add($"{key}:TimeZone '{s.TimeZone}' is not a known time zone");
            }
        }

        var queryOptions = limits.Value.ToQueryOptions();
        for (var i = 0; i < options.ConsoleSubscriptions.Count; i++)
        {
            var c = options.ConsoleSubscriptions[i];
            var key = $"Alerts:ConsoleSubscriptions:{i}";
            if (string.IsNullOrWhiteSpace(c.Subscriber))
            {
                errors.Add($"{key}:Subscriber is required");
            }

            if (string.IsNullOrWhiteSpace(c.Query))
            {
                errors.Add($"{key}:Query is required");
            }
            else if (!QueryParser.TryParse(c.Query, queryOptions, out _, out var error))
            {
                errors.Add($"{key}:Query '{c.Query}': {error!.Message}");
            }

            if (c.Platform is not (Platforms.Console or "webhook"))
            {
                errors.Add($"{key}:Platform must be console or webhook");
            }

            if (!string.IsNullOrEmpty(c.Source) && !ids.Contains(c.Source))
            {
                errors.Add($"{key}:Source '{c.Source}' is not a configured source id");
            }
        }

        if (options.InstanceId is { Length: > 0 } instance && !IdPattern().IsMatch(instance))
        {
            errors.Add("Alerts:InstanceId may contain only letters, digits, '-', '_' and '.'");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex IdPattern();
}

/// <summary><c>Alerts:Limits</c>.</summary>
internal sealed class LimitsValidator : OptionsValidator<SubscriptionLimits>
{
    protected override void Check(SubscriptionLimits options, Problems problems)
    {
        problems.Positive("Alerts:Limits:MaxSubscriptionsPerSubscriber", options.MaxSubscriptionsPerSubscriber);
        problems.Positive("Alerts:Limits:MaxQueryLength", options.MaxQueryLength);
        problems.Positive("Alerts:Limits:MaxQueryTerms", options.MaxQueryTerms);
        problems.Positive("Alerts:Limits:PreviewItemsPerSource", options.PreviewItemsPerSource);
        problems.Positive("Alerts:Limits:PreviewMaxMatches", options.PreviewMaxMatches);
        problems.Positive("Alerts:Limits:PreviewBudget", options.PreviewBudget);
        problems.Positive("Alerts:Limits:RegexCacheEntries", options.RegexCacheEntries);
        problems.Positive("Alerts:Limits:RegexCacheMegabytes", options.RegexCacheMegabytes);
        if (options.MaxAlertsPerSubscriberPerPoll < 0)
        {
            problems.Add("Alerts:Limits:MaxAlertsPerSubscriberPerPoll must be 0 (no cap) or more");
        }
    }
}

/// <summary><c>Alerts:Polling</c>.</summary>
internal sealed class PollingValidator : OptionsValidator<PollingOptions>
{
    protected override void Check(PollingOptions options, Problems problems)
    {
        problems.Positive("Alerts:Polling:Timeout", options.Timeout);
        problems.Positive("Alerts:Polling:MaxBackoff", options.MaxBackoff);
        problems.Positive("Alerts:Polling:MaxResponseBytes", options.MaxResponseBytes);
    }
}

/// <summary><c>Alerts:Dispatch</c>.</summary>
internal sealed class DispatchValidator : OptionsValidator<DispatchOptions>
{
    protected override void Check(DispatchOptions options, Problems problems)
    {
        problems.Positive("Alerts:Dispatch:BatchSize", options.BatchSize);
        problems.Positive("Alerts:Dispatch:MaxConcurrentSends", options.MaxConcurrentSends);
        problems.Positive("Alerts:Dispatch:MaxAttempts", options.MaxAttempts);
        problems.Positive("Alerts:Dispatch:ClaimLease", options.ClaimLease);
        problems.Positive("Alerts:Dispatch:IdlePollInterval", options.IdlePollInterval);
        problems.Positive("Alerts:Dispatch:RetryBaseDelay", options.RetryBaseDelay);
        if (options.RetainFinished < TimeSpan.FromDays(1))
        {
            problems.Add("Alerts:Dispatch:RetainFinished must be at least 1.00:00:00");
        }
    }
}

/// <summary><c>Alerts:Leases</c>.</summary>
internal sealed class LeaseValidator : OptionsValidator<LeaseOptions>
{
    protected override void Check(LeaseOptions options, Problems problems) => problems.Positive("Alerts:Leases:Duration", options.Duration);
}

/// <summary><c>Alerts:Webhook</c>.</summary>
internal sealed class WebhookValidator : OptionsValidator<WebhookOptions>
{
    protected override void Check(WebhookOptions options, Problems problems)
    {
        if (options.Enabled)
        {
            problems.HttpUrl("Alerts:Webhook:Url", options.Url);
        }

        problems.Positive("Alerts:Webhook:Timeout", options.Timeout);
    }
}

/// <summary><c>Alerts:Dashboard</c>.</summary>
internal sealed class DashboardValidator : OptionsValidator<DashboardOptions>
{
    protected override void Check(DashboardOptions options, Problems problems)
    {
        if (string.IsNullOrEmpty(options.Username) != string.IsNullOrEmpty(options.Password))
        {
            problems.Add("Alerts:Dashboard:Username and Alerts:Dashboard:Password must be set together");
        }

        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                problems.Add($"Alerts:Dashboard:KnownProxies:{i} '{options.KnownProxies[i]}' is not an IP address");
            }
        }
    }
}

/// <summary><c>Alerts:Health</c>.</summary>
internal sealed class HealthValidator : OptionsValidator<HealthOptions>
{
    protected override void Check(HealthOptions options, Problems problems) => problems.Positive("Alerts:Health:NoSuccessfulPollFor", options.NoSuccessfulPollFor);
}
