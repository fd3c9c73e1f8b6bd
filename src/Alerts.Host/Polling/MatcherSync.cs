using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;

namespace Alerts.Host.Polling;

/// <summary>
/// Keeps this instance's matcher index in step with the subscription store's change feed, so a subscription
/// taken by another instance counts for the next poll here.
/// </summary>
internal sealed class MatcherSync(ISubscriptionMatcher matcher, ISubscriptionStore store, ILogger<MatcherSync> logger)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private long version;

    public ISubscriptionMatcher Matcher => matcher;

    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var changes = await store.GetChangesSinceAsync(version, cancellationToken);
            foreach (var id in changes.Removed)
            {
                matcher.Remove(id);
            }

            foreach (var subscription in changes.Added)
            {
                try
                {
                    matcher.Add(subscription);
                }
                catch (QuerySyntaxException e)
                {
                    // Stored before a stricter parser, or written by hand: skip it rather than stop matching for everyone.
                    logger.LogWarning("Subscription {Id} of {Subscriber} does not parse and is ignored: {Reason}", subscription.Id, subscription.SubscriberId, e.Message);
                }
            }

            version = changes.Version;
        }
        finally
        {
            gate.Release();
        }
    }
}
