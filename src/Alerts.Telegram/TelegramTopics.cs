using System.Globalization;
using Alerts.Core.Subscriptions;

namespace Alerts.Telegram;

/// <summary>
/// The forum topic a subscription was made in (Telegram's <c>message_thread_id</c>), so that its alerts go to that
/// topic and not to the group's General topic. Kept in the key-value store under <c>telegram:topic:&lt;subscription
/// id&gt;</c>: it is Telegram's business only, and the entry of an ended subscription is never read again.
/// </summary>
internal sealed class TelegramTopics(ISubscriptionStore store, IKeyValueStore keyValues)
{
    /// <summary>The ids of the chat's subscriptions now, to tell afterwards which ones a command or a button added.</summary>
    public async Task<HashSet<long>> SnapshotAsync(string subscriberId, CancellationToken cancellationToken) =>
        (await store.ListSubscriptionsAsync(subscriberId, cancellationToken).ConfigureAwait(false)).Select(s => s.Id).ToHashSet();

    /// <summary>Remembers <paramref name="threadId"/> for every subscription of the chat not in <paramref name="before"/>.</summary>
    public async Task RememberNewAsync(string subscriberId, HashSet<long> before, int threadId, CancellationToken cancellationToken)
    {
        foreach (var added in (await store.ListSubscriptionsAsync(subscriberId, cancellationToken).ConfigureAwait(false)).Where(s => !before.Contains(s.Id)))
        {
            await keyValues.SetAsync(Key(added.Id), threadId.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The topic of a subscription, or null for a chat without topics (or a subscription made outside one).</summary>
    public async Task<int?> GetAsync(long subscriptionId, CancellationToken cancellationToken) =>
        int.TryParse(await keyValues.GetAsync(Key(subscriptionId), cancellationToken).ConfigureAwait(false), NumberStyles.None, CultureInfo.InvariantCulture, out var thread)
            ? thread
            : null;

    private static string Key(long subscriptionId) => "telegram:topic:" + subscriptionId.ToString(CultureInfo.InvariantCulture);
}
