using System.Text.RegularExpressions;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Options;

/// <summary>Checks <c>Alerts</c> at start-up; every message names the configuration key at fault (SPEC §10).</summary>
internal sealed partial class AlertsOptionsValidator : IValidateOptions<AlertsOptions>
{
    public static readonly TimeSpan MinPollInterval = TimeSpan.FromSeconds(2);

    public ValidateOptionsResult Validate(string? name, AlertsOptions options)
    {
        var errors = new List<string>();
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

        if (!options.Storage.IsPostgres && !string.Equals(options.Storage.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"Alerts:Storage:Provider must be Sqlite or Postgres (is '{options.Storage.Provider}')");
        }

        if (string.IsNullOrWhiteSpace(options.Storage.ConnectionString))
        {
            errors.Add("Alerts:Storage:ConnectionString is required");
        }

        Positive(errors, "Alerts:Limits:MaxSubscriptionsPerSubscriber", options.Limits.MaxSubscriptionsPerSubscriber);
        Positive(errors, "Alerts:Limits:MaxQueryLength", options.Limits.MaxQueryLength);
        Positive(errors, "Alerts:Polling:Timeout", options.Polling.Timeout);
        Positive(errors, "Alerts:Polling:MaxBackoff", options.Polling.MaxBackoff);
        Positive(errors, "Alerts:Polling:MaxResponseBytes", options.Polling.MaxResponseBytes);
        Positive(errors, "Alerts:Dispatch:BatchSize", options.Dispatch.BatchSize);
        Positive(errors, "Alerts:Dispatch:MaxConcurrentSends", options.Dispatch.MaxConcurrentSends);
        Positive(errors, "Alerts:Dispatch:MaxAttempts", options.Dispatch.MaxAttempts);
        Positive(errors, "Alerts:Dispatch:ClaimLease", options.Dispatch.ClaimLease);
        Positive(errors, "Alerts:Dispatch:IdlePollInterval", options.Dispatch.IdlePollInterval);
        Positive(errors, "Alerts:Dispatch:RetryBaseDelay", options.Dispatch.RetryBaseDelay);
        Positive(errors, "Alerts:Leases:Duration", options.Leases.Duration);
        if (options.Dispatch.RetainFinished < TimeSpan.FromDays(1))
        {
            errors.Add("Alerts:Dispatch:RetainFinished must be at least 1.00:00:00");
        }

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
            else if (!QueryParser.TryParse(c.Query, new QueryOptions { MaxLength = options.Limits.MaxQueryLength }, out _, out var error))
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

        if (!string.IsNullOrEmpty(options.Webhook.Url)
            && (!Uri.TryCreate(options.Webhook.Url, UriKind.Absolute, out var hook) || (hook.Scheme != Uri.UriSchemeHttp && hook.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add("Alerts:Webhook:Url must be an absolute http(s) URL");
        }

        if (string.IsNullOrEmpty(options.Dashboard.Username) != string.IsNullOrEmpty(options.Dashboard.Password))
        {
            errors.Add("Alerts:Dashboard:Username and Alerts:Dashboard:Password must be set together");
        }

        if (options.InstanceId is { Length: > 0 } instance && !IdPattern().IsMatch(instance))
        {
            errors.Add("Alerts:InstanceId may contain only letters, digits, '-', '_' and '.'");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, string key, int value)
    {
        if (value <= 0)
        {
            errors.Add($"{key} must be greater than 0");
        }
    }

    private static void Positive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key} must be greater than 00:00:00");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex IdPattern();
}
