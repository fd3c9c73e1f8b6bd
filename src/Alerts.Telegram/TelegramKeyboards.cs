using Alerts.Core.Subscriptions;
using Telegram.Bot.Types.ReplyMarkups;

namespace Alerts.Telegram;

/// <summary>Platform-neutral buttons (<see cref="ChatButton"/>) as Telegram inline keyboards, and back.</summary>
internal static class TelegramKeyboards
{
    public static InlineKeyboardMarkup? From(IReadOnlyList<IReadOnlyList<ChatButton>>? rows)
    {
        if (rows is null || rows.All(r => r.Count == 0))
        {
            return null;
        }

        return new InlineKeyboardMarkup(rows.Where(r => r.Count > 0).Select(r => r.Select(Button)));
    }

    public static InlineKeyboardButton Button(ChatButton button) => InlineKeyboardButton.WithCallbackData(button.Label, button.Action.Encode());

    /// <summary>
    /// The message's keyboard with the row that holds <paramref name="pressed"/> replaced by <paramref name="row"/>
    /// (removed when empty). Null when nothing is left.
    /// </summary>
    public static InlineKeyboardMarkup? ReplaceRow(InlineKeyboardMarkup? current, string pressed, IReadOnlyList<ChatButton> row)
    {
        var rows = current?.InlineKeyboard.Select(r => r.ToList()).ToList() ?? [];
        var at = rows.FindIndex(r => r.Any(b => b.CallbackData == pressed));
        var replacement = row.Select(Button).ToList();
        if (at < 0)
        {
            rows.Add(replacement);
        }
        else
        {
            rows[at] = replacement;
        }

        rows.RemoveAll(r => r.Count == 0);
        return rows.Count == 0 ? null : new InlineKeyboardMarkup(rows);
    }

    /// <summary>The label of the pressed button, as the message the press came from shows it.</summary>
    public static string? LabelOf(InlineKeyboardMarkup? current, string pressed) =>
        current?.InlineKeyboard.SelectMany(r => r).FirstOrDefault(b => b.CallbackData == pressed)?.Text;
}
