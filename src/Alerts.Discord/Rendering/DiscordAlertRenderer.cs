using System.Globalization;
using Alerts.Core.Alerts;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Rest;

namespace Alerts.Discord.Rendering;

/// <summary>
/// One alert as one embed within Discord's limits (SPEC §4): title ≤ 256 (the headline), description ≤ 4096 (the body,
/// matched words in bold), all text together ≤ 6000. Text is shortened on a word boundary before it is escaped, and
/// shortened further when escaping made it too long, so that no escape or bold marker is ever cut.
/// </summary>
public static class DiscordAlertRenderer
{
    public const int TitleLimit = 256;
    public const int DescriptionLimit = 4096;
    public const int AuthorLimit = 256;
    public const int FooterLimit = 2048;
    public const int TotalLimit = 6000;
    public const int UrlLimit = 2048;

    /// <summary>Accent colour of alert embeds.</summary>
    public const int Color = 0xC0392B;

    public static DiscordEmbed Render(OutboxAlert alert, AlertContext context) => Render(alert, context, ChatTexts.English, 0, longFormat: false);

    /// <summary>
    /// The layout of <see cref="AlertLayout"/>: the source as author, the headline as title (linked), the body, and the
    /// time (zone named) with the subscription that fired in the footer. No embed timestamp: Discord would print the
    /// time a second time, in the reader's clock, next to the footer.
    /// </summary>
    public static DiscordEmbed Render(OutboxAlert alert, AlertContext context, ChatTexts texts, int number, bool longFormat)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(context);
        var layout = AlertLayout.Build(alert, context, texts, number, longFormat, DescriptionLimit);
        var title = Fit(layout.Headline, alert.Matched, TitleLimit);
        // Author and footer show plain text, no markdown: nothing to escape there.
        var author = MatchHighlighter.Shorten(layout.Source, AuthorLimit);
        var footer = MatchHighlighter.Shorten($"{layout.When} · {layout.FiredBy}", FooterLimit);
        var budget = Math.Min(longFormat ? DescriptionLimit : AlertLayout.ShortBody, TotalLimit - title.Length - author.Length - footer.Length);
        var description = Fit(alert.Body, alert.Matched, Math.Max(0, budget));
        return new DiscordEmbed
        {
            Title = title.Length == 0 ? null : title,
            Description = description.Length == 0 ? null : description,
            Url = SafeUrl(alert.Url),
            Color = Color,
            Author = author.Length == 0 ? null : new DiscordEmbedAuthor(author),
            Footer = new DiscordEmbedFooter(footer),
        };
    }

    /// <summary>Shortens, highlights and escapes <paramref name="text"/> so that the result is at most <paramref name="limit"/> characters.</summary>
    public static string Fit(string text, IReadOnlyList<string> matched, int limit)
    {
        var budget = limit;
        while (true)
        {
            var rendered = DiscordMarkdown.Render(MatchHighlighter.Segment(MatchHighlighter.Shorten(text, budget), matched));
            if (rendered.Length <= limit)
            {
                return rendered;
            }

            // Escapes and bold markers added (rendered.Length - limit) characters: take that much more off the raw text.
            budget = Math.Max(0, budget - Math.Max(1, rendered.Length - limit));
        }
    }

    /// <summary>The characters Discord counts towards an embed's 6000.</summary>
    public static int TotalLength(DiscordEmbed embed)
    {
        ArgumentNullException.ThrowIfNull(embed);
        return (embed.Title?.Length ?? 0) + (embed.Description?.Length ?? 0) + (embed.Author?.Name.Length ?? 0) + (embed.Footer?.Text.Length ?? 0)
            + (embed.Fields?.Sum(f => f.Name.Length + f.Value.Length) ?? 0);
    }

    /// <summary>Discord rejects an embed whose url is not an absolute http(s) URL.</summary>
    internal static string? SafeUrl(string? url) =>
        url is { Length: > 0 and <= UrlLimit } && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.AbsoluteUri.Length <= UrlLimit ? uri.AbsoluteUri : null
            : null;
}
