using Alerts.Core.Tickers;
using Alerts.Discord.Rest;

namespace Alerts.Discord.Commands;

/// <summary>The slash commands of SPEC §5, with their options; <c>source</c> is a choice list of the configured sources.</summary>
public static class DiscordCommandCatalog
{
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";
    public const string List = "list";
    public const string Preview = "preview";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Sources = "sources";
    public const string Help = "help";
    public const string Stop = "stop";
    public const string Mute = "mute";
    public const string Quiet = "quiet";
    public const string TimeZone = "timezone";
    public const string Language = "language";
    public const string Format = "format";

    /// <summary>The commands that change what a subscriber receives (a channel's need Manage Channels).</summary>
    public static readonly IReadOnlySet<string> Changing = new HashSet<string>(StringComparer.Ordinal)
    {
        Subscribe, Unsubscribe, Pause, Resume, Stop, Mute, Quiet, TimeZone, Language, Format,
    };

    /// <summary>Discord allows at most 25 choices per option.</summary>
    public const int MaxChoices = 25;

    public const int MaxQueryLength = 256;

    /// <summary>How this platform writes a subscribe command, for <c>Help</c>.</summary>
    public const string SubscribeSyntax = "/subscribe query:";

    public static IReadOnlyList<ApplicationCommand> Build(IEnumerable<SourceDefinition> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var choices = sources
            .Where(s => !string.IsNullOrWhiteSpace(s.Id))
            .DistinctBy(s => s.Id, StringComparer.Ordinal)
            .Take(MaxChoices)
            .Select(s => new ApplicationCommandChoice(Clip(s.DisplayName, 100), Clip(s.Id, 100)))
            .ToList();

        ApplicationCommandOption Query(string description, string german) => new()
        {
            Type = ApplicationCommandOptionType.String, Name = "query", Description = description, Required = true, MaxLength = MaxQueryLength,
            DescriptionLocalizations = German(german),
        };
        ApplicationCommandOption? Source(string description, string german) => choices.Count == 0 ? null : new()
        {
            Type = ApplicationCommandOptionType.String, Name = "source", Description = description, Required = false, Choices = choices,
            DescriptionLocalizations = German(german),
        };
        ApplicationCommandOption Text(string name, string description, string german) => new()
        {
            Type = ApplicationCommandOptionType.String, Name = name, Description = description, Required = true, MaxLength = 64,
            DescriptionLocalizations = German(german),
        };
        ApplicationCommandOption Here(string description, string german) => new()
        {
            Type = ApplicationCommandOptionType.Boolean, Name = "here", Description = description, Required = false,
            DescriptionLocalizations = German(german),
        };
        ApplicationCommand Command(string name, string germanName, string description, string german, params ApplicationCommandOption?[] options) => new()
        {
            Name = name,
            Description = description,
            NameLocalizations = germanName == name ? null : German(germanName),
            DescriptionLocalizations = German(german),
            Options = options.OfType<ApplicationCommandOption>().ToList() is { Count: > 0 } list ? list : null,
            Contexts = [0, 1],
            IntegrationTypes = [0],
        };

        const string hereChannel = "Apply to this channel instead of your DMs (needs Manage Channels)";
        const string hereChannelDe = "Für diesen Kanal statt deiner DMs (braucht „Kanäle verwalten“)";
        return
        [
            Command(Subscribe, "abo", "Get an alert when a ticker entry matches your query", "Alert bekommen, wenn ein Ticker-Eintrag zu deiner Suche passt",
                Query("Words to watch for, e.g. Drohne* OR \"Kachowka\" -Übung", "Wörter, z. B. Drohne* ODER \"Kachowka\" -Übung"), Source("Only this ticker", "Nur dieser Ticker"),
                Here("Post alerts in this channel instead of your DMs (needs Manage Channels)", "Alerts in diesen Kanal statt in deine DMs (braucht „Kanäle verwalten“)")),
            Command(Unsubscribe, "abbestellen", "End subscriptions", "Abos beenden", new ApplicationCommandOption
            {
                Type = ApplicationCommandOptionType.String, Name = "which", Description = "Numbers from /list (2 5 7, 4-10, all) or the query", Required = true,
                MaxLength = MaxQueryLength, Autocomplete = true, DescriptionLocalizations = German("Nummern aus /liste (2 5 7, 4-10, all) oder die Suche"),
            }, Here(hereChannel, hereChannelDe)),
            Command(List, "liste", "Show your subscriptions", "Deine Abos zeigen", Here("Show this channel's subscriptions", "Abos dieses Kanals zeigen")),
            Command(Preview, "vorschau", "What the latest ticker entries would have matched, without saving", "Was die letzten Einträge getroffen hätte, ohne zu speichern",
                Query("The query to try", "Die Suche zum Testen"), Source("Only this ticker", "Nur dieser Ticker")),
            Command(Pause, "pause", "No alerts until /resume", "Keine Alerts bis /weiter", Here(hereChannel, hereChannelDe)),
            Command(Resume, "weiter", "Alerts on again", "Alerts wieder an", Here(hereChannel, hereChannelDe)),
            Command(Stop, "stop", "End every subscription (asks first)", "Alle Abos beenden (mit Rückfrage)", Here(hereChannel, hereChannelDe)),
            Command(Mute, "stumm", "Silence alerts for a while", "Alerts eine Weile stumm", Text("for", "30m, 2h, 1d or off", "30m, 2h, 1d oder off"), Here(hereChannel, hereChannelDe)),
            Command(Quiet, "ruhe", "Hours in which alerts arrive without sound", "Stunden, in denen Alerts ohne Ton kommen", Text("hours", "For example 22-07, or off", "Zum Beispiel 22-07 oder off"), Here(hereChannel, hereChannelDe)),
            Command(TimeZone, "zeitzone", "Time zone of alert times", "Zeitzone der Alert-Zeiten", Text("zone", "IANA name, e.g. Europe/Berlin", "IANA-Name, z. B. Europe/Berlin"), Here(hereChannel, hereChannelDe)),
            Command(Language, "sprache", "Language of alerts: de or en", "Sprache der Alerts: de oder en", Text("language", "de or en", "de oder en"), Here(hereChannel, hereChannelDe)),
            Command(Format, "format", "Short or whole entries in alerts", "Kurze oder ganze Einträge in Alerts", Text("format", "short or long", "short (kurz) oder long (lang)"), Here(hereChannel, hereChannelDe)),
            Command(Sources, "quellen", "List the tickers the bot watches", "Die beobachteten Ticker"),
            Command(Help, "hilfe", "How to write queries", "So schreibst du Suchen"),
        ];
    }

    /// <summary>German localization (Discord's locale <c>de</c>).</summary>
    private static Dictionary<string, string> German(string text) => new(StringComparer.Ordinal) { ["de"] = text };

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];
}
