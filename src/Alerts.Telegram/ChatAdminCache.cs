using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types.Enums;

namespace Alerts.Telegram;

/// <summary>
/// Whether a user administers a group, from getChatMember, remembered for <see cref="TelegramOptions.AdminCacheDuration"/>
/// so that a burst of commands costs one API call; a demoted admin loses the right within that time.
/// </summary>
internal sealed class ChatAdminCache(ITelegramBotClient bot, TimeProvider time, IOptions<TelegramOptions> options)
{
    private readonly ConcurrentDictionary<(long Chat, long User), (bool IsAdmin, DateTimeOffset Until)> cache = new();

    /// <summary>True for creator and administrator; throws when Telegram cannot be asked (the caller tells the user).</summary>
    public async Task<bool> IsAdminAsync(long chatId, long userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cache.TryGetValue((chatId, userId), out var hit) && hit.Until > now)
        {
            return hit.IsAdmin;
        }

        var member = await bot.GetChatMember(chatId, userId, cancellationToken).ConfigureAwait(false);
        var isAdmin = member.Status is ChatMemberStatus.Creator or ChatMemberStatus.Administrator;
        cache[(chatId, userId)] = (isAdmin, now + options.Value.AdminCacheDuration);
        return isAdmin;
    }
}
