using Alerts.Core.Subscriptions;
using Alerts.Host.Options;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Delivery;

/// <summary>
/// Creates the subscribers and subscriptions of <c>Alerts:ConsoleSubscriptions</c> at start-up (idempotent:
/// an entry already stored is left alone), so the service shows alerts on the console out of the box.
/// </summary>
internal sealed class ConfiguredSubscriptionSeeder(
    IOptions<AlertsOptions> options,
    ISubscriptionStore store,
    TimeProvider time,
    ILogger<ConfiguredSubscriptionSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var group in options.Value.ConsoleSubscriptions.GroupBy(c => Subscriber.MakeId(c.Platform, c.Subscriber), StringComparer.Ordinal))
        {
            var first = group.First();
            var subscriber = await store.EnsureSubscriberAsync(new Subscriber(group.Key, first.Platform, first.Subscriber), cancellationToken);
            var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
            foreach (var entry in group)
            {
                var source = string.IsNullOrEmpty(entry.Source) ? null : entry.Source;
                if (existing.Any(s => s.Query == entry.Query && s.SourceId == source))
                {
                    continue;
                }

                await store.AddSubscriptionAsync(subscriber.Id, entry.Query, source, time.GetUtcNow(), cancellationToken);
                logger.LogInformation("Subscribed {Subscriber} to {Query}", subscriber.Id, entry.Query);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
