using Alerts.Core.Subscriptions;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace Alerts.Telegram;

/// <summary>What a Telegram command does, whatever name (English or German alias) it was typed with.</summary>
internal enum TelegramCommandKind
{
    Start,
    Help,
    Subscribe,
    Unsubscribe,
    List,
    Preview,
    Pause,
    Resume,
    Sources,
    Stop,
    Mute,
    Quiet,
    TimeZone,
    Language,
    Format,
}

/// <summary>One command: its name, its aliases, whether it changes the chat's alerts (group admins only), and its menu texts.</summary>
internal sealed record TelegramCommandInfo(
    TelegramCommandKind Kind,
    string Name,
    string[] Aliases,
    bool Changes,
    string? Usage,
    string? Example,
    string English,
    string German,
    string? GermanName = null)
{
    public string Description(string language) => language == ChatLanguage.German ? German : English;

    /// <summary>The name shown to a German chat: the German alias where there is one.</summary>
    public string NameFor(string language) => language == ChatLanguage.German && GermanName is not null ? GermanName : Name;
}

/// <summary>
/// The one table of Telegram commands (SPEC §5): parsing, the admin rule, <c>/help</c>'s overview and the
/// <c>setMyCommands</c> menus per language and scope all come from it.
/// </summary>
internal static class TelegramCommands
{
    public static readonly IReadOnlyList<TelegramCommandInfo> All =
    [
        new(TelegramCommandKind.Subscribe, "subscribe", ["sub", "abo", "abonnieren"], true, "<query>", "Drohne*",
            "Follow words: /subscribe Drohne*", "Wörter verfolgen: /abo Drohne*", "abo"),
        new(TelegramCommandKind.List, "list", ["liste"], false, null, null, "Your subscriptions", "Deine Abos", "liste"),
        new(TelegramCommandKind.Unsubscribe, "unsubscribe", ["unsub", "abbestellen"], true, "<2 5 7|4-10|all|query>", "2",
            "End subscriptions: /unsubscribe 2", "Abos beenden: /abbestellen 2", "abbestellen"),
        new(TelegramCommandKind.Preview, "preview", ["vorschau"], false, "<query>", "Selenskyj",
            "Try a query without saving", "Suche testen ohne Speichern", "vorschau"),
        new(TelegramCommandKind.Mute, "mute", ["stumm"], true, "<30m|2h|1d|off>", "2h", "Silence alerts for a while", "Alerts eine Weile stumm"),
        new(TelegramCommandKind.Quiet, "quiet", ["ruhe"], true, "<22-07|off>", "22-07", "Hours without sound", "Stunden ohne Ton"),
        new(TelegramCommandKind.Pause, "pause", [], true, null, null, "No alerts until /resume", "Keine Alerts bis /weiter"),
        new(TelegramCommandKind.Resume, "resume", ["weiter"], true, null, null, "Alerts on again", "Alerts wieder an", "weiter"),
        new(TelegramCommandKind.Stop, "stop", [], true, null, null, "End everything", "Alles beenden"),
        new(TelegramCommandKind.TimeZone, "timezone", ["zeitzone"], true, "<IANA zone>", "Europe/Kyiv", "Time zone of alert times", "Zeitzone der Alert-Zeiten"),
        new(TelegramCommandKind.Language, "language", ["sprache"], true, "<de|en>", "en", "Language: de or en", "Sprache: de oder en"),
        new(TelegramCommandKind.Format, "format", [], true, "<short|long>", "long", "Short or whole entries", "Kurze oder ganze Einträge"),
        new(TelegramCommandKind.Sources, "sources", ["quellen"], false, null, null, "Watched tickers", "Beobachtete Ticker", "quellen"),
        new(TelegramCommandKind.Help, "help", ["hilfe"], false, null, null, "How queries work", "So funktionieren Suchen", "hilfe"),
        new(TelegramCommandKind.Start, "start", [], false, null, null, "Start", "Start"),
    ];

    private static readonly Dictionary<string, TelegramCommandInfo> ByName = All
        .SelectMany(c => c.Aliases.Prepend(c.Name).Select(n => (Name: n, Command: c)))
        .ToDictionary(x => x.Name, x => x.Command, StringComparer.Ordinal);

    public static TelegramCommandInfo? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The menu of one language: everything but /start; <paramref name="changesOnly"/> for the group-admin scope.</summary>
    public static IReadOnlyList<BotCommand> Menu(string language, bool? changes = null) =>
        All.Where(c => c.Kind != TelegramCommandKind.Start && (changes is null || c.Changes == changes))
            .Select(c => new BotCommand { Command = c.NameFor(language), Description = c.Description(language) })
            .ToList();

    /// <summary>The command overview of <c>/help</c>, in the chat's language.</summary>
    public static IReadOnlyList<(string Command, string Description)> Overview(string language) =>
        All.Where(c => c.Kind != TelegramCommandKind.Start)
            .Select(c => ($"/{c.NameFor(language)}{(c.Usage is null ? "" : " " + c.Usage)}", c.Description(language)))
            .ToList();

    /// <summary>
    /// <c>setMyCommands</c> per scope and language (SPEC §5): private chats and group administrators see every command,
    /// other group members only those that change nothing; German clients get the German names and descriptions,
    /// everyone else English (the default, no language code).
    /// </summary>
    public static async Task RegisterMenusAsync(ITelegramBotClient bot, CancellationToken cancellationToken)
    {
        foreach (var language in new[] { ChatLanguage.English, ChatLanguage.German })
        {
            var code = language == ChatLanguage.English ? null : language;
            await bot.SetMyCommands(Menu(language), new BotCommandScopeDefault(), code, cancellationToken).ConfigureAwait(false);
            await bot.SetMyCommands(Menu(language), new BotCommandScopeAllPrivateChats(), code, cancellationToken).ConfigureAwait(false);
            await bot.SetMyCommands(Menu(language, changes: false), new BotCommandScopeAllGroupChats(), code, cancellationToken).ConfigureAwait(false);
            await bot.SetMyCommands(Menu(language), new BotCommandScopeAllChatAdministrators(), code, cancellationToken).ConfigureAwait(false);
        }
    }
}
