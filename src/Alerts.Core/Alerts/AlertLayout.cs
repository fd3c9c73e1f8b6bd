using System.Globalization;
using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;

namespace Alerts.Core.Alerts;

/// <summary>
/// One alert laid out for a phone, platform-neutral (SPEC §4): the headline; a line with the time (in the subscriber's
/// zone, zone named) and the source; which subscription fired (number and query); the body, shortened to about
/// <see cref="ShortBody"/> characters unless the subscriber chose the long format; the link. The matched words are
/// located once here (every whole-word occurrence) and carried as spans, so the Telegram and Discord renderers only
/// mark up; neither searches the text again.
/// </summary>
public sealed record AlertLayout(
    string Headline,
    IReadOnlyList<TextSpan> HeadlineSpans,
    string When,
    string Source,
    string FiredBy,
    string Body,
    IReadOnlyList<TextSpan> BodySpans,
    string? Url,
    string LinkLabel)
{
    /// <summary>About this many characters of the body in the short format.</summary>
    public const int ShortBody = 400;

    /// <summary>
    /// Lays out <paramref name="alert"/>. <paramref name="number"/> is the firing subscription's place in the
    /// subscriber's list (0 when unknown); <paramref name="maxBody"/> is the platform's own budget for the body.
    /// </summary>
    public static AlertLayout Build(OutboxAlert alert, AlertContext context, ChatTexts texts, int number, bool longFormat, int maxBody)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(texts);
        var headline = PollPipeline.IsSummary(alert.ItemKey, out var more) ? texts.MoreMatched(more) : OneLine(alert.Headline);
        var local = TimeZoneInfo.ConvertTime(alert.Published, context.TimeZone);
        var when = $"{local.ToString("dd.MM.yyyy HH:mm", CultureInfo.InvariantCulture)} ({context.TimeZone.Id})";
        var body = MatchHighlighter.Shorten(alert.Body?.Trim() ?? "", Math.Max(0, longFormat ? maxBody : Math.Min(ShortBody, maxBody)));
        return new AlertLayout(
            headline,
            MatchHighlighter.FindSpans(headline, alert.Matched),
            when,
            OneLine(context.SourceName),
            texts.FiredBy(number, alert.Query),
            body,
            MatchHighlighter.FindSpans(body, alert.Matched),
            alert.Url,
            texts.OpenEntry);
    }

    private static string OneLine(string? text) => string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
