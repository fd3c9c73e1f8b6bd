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

        ApplicationCommandOption Query(string description) => new()
        {
            Type = ApplicationCommandOptionType.String, Name = "query", Description = description, Required = true, MaxLength = MaxQueryLength,
        };
        ApplicationCommandOption? Source(string description) => choices.Count == 0 ? null : new()
        {
            Type = ApplicationCommandOptionType.String, Name = "source", Description = description, Required = false, Choices = choices,
        };
        ApplicationCommandOption Here(string description) => new()
        {
            Type = ApplicationCommandOptionType.Boolean, Name = "here", Description = description, Required = false,
        };
        ApplicationCommand Command(string name, string description, params ApplicationCommandOption?[] options) => new()
        {
            Name = name,
            Description = description,
            Options = options.OfType<ApplicationCommandOption>().ToList() is { Count: > 0 } list ? list : null,
            Contexts = [0, 1],
            IntegrationTypes = [0],
        };

        const string hereChannel = "Apply to this channel instead of your DMs (needs Manage Channels)";
        return
        [
            Command(Subscribe, "Get an alert when a ticker entry matches your query", Query("Words to watch for, e.g. Drohne* OR \"Kachowka\" -Übung"), Source("Only this ticker"), Here("Post alerts in this channel instead of your DMs (needs Manage Channels)")),
            Command(Unsubscribe, "Remove a subscription", new ApplicationCommandOption
            {
                Type = ApplicationCommandOptionType.String, Name = "which", Description = "Its number in /list, or the query text", Required = true, MaxLength = MaxQueryLength,
            }, Here(hereChannel)),
            Command(List, "Show your subscriptions", Here("Show this channel's subscriptions")),
            Command(Preview, "What the latest ticker entries would have matched, without saving", Query("The query to try"), Source("Only this ticker")),
            Command(Pause, "Pause alerts", Here(hereChannel)),
            Command(Resume, "Resume alerts", Here(hereChannel)),
            Command(Sources, "List the tickers the bot watches"),
            Command(Help, "How to write queries"),
        ];
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];
}
