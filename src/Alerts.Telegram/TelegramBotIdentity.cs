using Telegram.Bot;

namespace Alerts.Telegram;

/// <summary>The bot's own username from getMe, needed to tell <c>/list@ThisBot</c> from <c>/list@OtherBot</c>.</summary>
internal sealed class TelegramBotIdentity(ITelegramBotClient bot)
{
    private volatile string? username;

    public string? Username => username;

    /// <summary>Asks getMe until it succeeded once; null while Telegram cannot be reached.</summary>
    public async Task<string?> GetUsernameAsync(CancellationToken cancellationToken)
    {
        if (username is not null)
        {
            return username;
        }

        try
        {
            var me = await bot.GetMe(cancellationToken).ConfigureAwait(false);
            username = me.Username;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return username;
    }
}
