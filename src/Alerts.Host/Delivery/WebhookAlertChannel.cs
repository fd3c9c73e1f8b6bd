using System.Net;
using System.Net.Http.Json;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Host.Options;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Delivery;

/// <summary>
/// A generic HTTP channel (platform <c>webhook</c>): POSTs each alert as JSON to <c>Alerts:Webhook:Url</c>.
/// For integrations without an adapter, and for the crash and cluster tests, which need a channel that
/// sends over the network without depending on the Telegram or Discord adapters.
/// </summary>
internal sealed class WebhookAlertChannel(IHttpClientFactory clients, IOptions<WebhookOptions> options, Polling.InstanceIdentity instance) : IAlertChannel
{
    public const string Platform = "webhook";
    public const string ClientName = "webhook";

    public IReadOnlyCollection<string> Platforms { get; } = [Platform];

    public ChannelLimits Limits { get; } = new(
        options.Value.GlobalPerSecond > 0 ? new RateLimitRule(options.Value.GlobalPerSecond, TimeSpan.FromSeconds(1)) : null,
        options.Value.PerSubscriberPerSecond > 0 ? new RateLimitRule(options.Value.PerSubscriberPerSecond, TimeSpan.FromSeconds(1)) : null,
        null);

    public async Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken)
    {
        var payload = new WebhookPayload(
            alert.Id, to.Id, to.Address, alert.SourceId, context.SourceName, alert.ItemKey, alert.Published,
            alert.Headline, alert.Body, alert.Url, alert.Query, alert.Matched, alert.EnqueuedAt);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, options.Value.Url) { Content = JsonContent.Create(payload) };

            // Lets the receiver see which instance sent (the cluster test checks that one dispatcher sends for all).
            request.Headers.Add("X-Alerts-Instance", instance.Id);
            using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
            return response.StatusCode switch
            {
                >= HttpStatusCode.OK and < HttpStatusCode.MultipleChoices => new SendResult.Sent(null),
                HttpStatusCode.TooManyRequests => new SendResult.RateLimited(
                    response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1),
                    response.Headers.Contains("X-RateLimit-Global"),
                    "HTTP 429"),
                HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Forbidden => new SendResult.SubscriberGone($"HTTP {(int)response.StatusCode}"),
                HttpStatusCode.RequestTimeout => new SendResult.Transient("HTTP 408"),
                >= HttpStatusCode.InternalServerError => new SendResult.Transient($"HTTP {(int)response.StatusCode}"),
                _ => new SendResult.Permanent($"HTTP {(int)response.StatusCode}"),
            };
        }
        catch (HttpRequestException e)
        {
            return new SendResult.Transient(e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult.Transient("timed out");
        }
    }

    /// <summary>The JSON body of a webhook call.</summary>
    internal sealed record WebhookPayload(
        long Id,
        string Subscriber,
        string Address,
        string Source,
        string SourceName,
        string Key,
        DateTimeOffset Published,
        string Headline,
        string Body,
        string? Url,
        string Query,
        IReadOnlyList<string> Matched,
        DateTimeOffset EnqueuedAt);
}
