namespace Alerts.Telegram;

/// <summary>
/// A bot command as a user typed it: <c>/name</c> or <c>/name@BotName</c> (groups), then arguments.
/// <see cref="Name"/> is lower case; <see cref="Addressee"/> is the bot name after <c>@</c>, if any.
/// </summary>
internal sealed record TelegramCommand(string Name, string? Addressee, string Arguments)
{
    public static TelegramCommand? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text[0] != '/')
        {
            return null;
        }

        var end = 1;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        var token = text[1..end];
        var at = token.IndexOf('@', StringComparison.Ordinal);
        var name = (at < 0 ? token : token[..at]).ToLowerInvariant();
        var addressee = at < 0 ? null : token[(at + 1)..];
        if (name.Length == 0 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            return null;
        }

        return new TelegramCommand(name, string.IsNullOrEmpty(addressee) ? null : addressee, text[end..].Trim());
    }

    /// <summary>True unless the command names another bot (<c>/list@OtherBot</c>).</summary>
    public bool IsFor(string? botUsername) =>
        Addressee is null || botUsername is not null && string.Equals(Addressee, botUsername, StringComparison.OrdinalIgnoreCase);
}
