using System.Collections.Concurrent;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Rest;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Discord.Sending;

/// <summary>
/// The DM channel of each user, created lazily at the first alert (<c>POST /users/@me/channels</c>) and kept in memory
/// and in <see cref="IKeyValueStore"/> (<c>discord:dm:{userId}</c>), so that it is asked for once per user, not per alert.
/// </summary>
public sealed class DiscordDmChannels(IServiceScopeFactory scopes)
{
    private readonly ConcurrentDictionary<string, string> cache = new(StringComparer.Ordinal);

    public static string Key(string userId) => "discord:dm:" + userId;

    /// <summary>The channel id, or the failure of creating it.</summary>
    public async Task<DiscordApiResult> GetOrCreateAsync(string userId, DiscordRestClient client, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(userId, out var cached))
        {
            return DiscordApiResult.Ok(cached);
        }

        using var scope = scopes.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<IKeyValueStore>();
        if (await store.GetAsync(Key(userId), cancellationToken).ConfigureAwait(false) is { Length: > 0 } stored)
        {
            cache[userId] = stored;
            return DiscordApiResult.Ok(stored);
        }

        var created = await client.CreateDmChannelAsync(userId, cancellationToken).ConfigureAwait(false);
        if (!created.IsSuccess)
        {
            return created;
        }

        if (string.IsNullOrEmpty(created.Id))
        {
            return DiscordApiResult.Fail(new DiscordFailure(DiscordFailureKind.Transient, 200, null, "DM channel response without an id"));
        }

        await store.SetAsync(Key(userId), created.Id, cancellationToken).ConfigureAwait(false);
        cache[userId] = created.Id;
        return created;
    }

    /// <summary>Forgets a channel Discord no longer knows, so the next alert creates it again.</summary>
    public async Task ForgetAsync(string userId, CancellationToken cancellationToken)
    {
        cache.TryRemove(userId, out _);
        using var scope = scopes.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IKeyValueStore>().SetAsync(Key(userId), "", cancellationToken).ConfigureAwait(false);
    }
}
