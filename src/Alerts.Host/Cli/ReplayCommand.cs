using System.Globalization;
using System.Text.Json;
using Alerts.Core.Diffing;
using Alerts.Core.Matching;
using Alerts.Core.Tickers;

namespace Alerts.Host.Cli;

/// <summary>
/// <c>replay --subscriptions FILE SNAPSHOT... [--json] [--source-kind K] [--source-id ID]</c> (SPEC §8): feeds saved
/// snapshots of one source through the service's own poll pipeline (<see cref="PollPipeline"/>), in order, as polls
/// would, each with its file's modification time as the fetch time. The first
/// snapshot is the baseline (it alerts nothing), edits do not alert, and each (subscriber, item) alerts once.
/// The source id (what a subscription's <c>source</c> is compared with) is derived from the first snapshot as
/// <c>check</c> derives it, unless <c>--source-id</c> names it.
/// </summary>
internal static class ReplayCommand
{
    internal const string Usage = "usage: replay --subscriptions FILE SNAPSHOT... [--json] [--source-kind K] [--source-id ID]";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = ReplayOptions.Parse(args);
        var subscriptions = await ReadSubscriptionsAsync(options.SubscriptionsFile);
        var audience = new ReplayAudience(CliMatcher.Create(subscriptions));
        var configured = options.SourceId is null ? CliSources.Configured(stderr) : [];
        var store = new ReplayState();
        var pipeline = new PollPipeline(TickerParsers.All, store, audience);

        SourceDefinition? source = null;
        var alerts = 0;
        foreach (var snapshot in options.Snapshots)
        {
            // Each snapshot's modification time stands for the time it was fetched, as in check (SPEC §8).
            var page = await CliPage.ReadAsync(snapshot, now: null);
            if (source is null)
            {
                var kind = page.ChooseParser(options.Kind).Kind;
                source = new SourceDefinition
                {
                    Id = options.SourceId ?? CliSources.Find(configured, page, kind) ?? page.DeriveSourceId(kind),
                Kind = options.Kind,
                Url = page.Url?.ToString() ?? "",
                    TimeZone = CliPage.BerlinTime.Id,
                };
                await WarnAboutOtherSourcesAsync(subscriptions, source.Id, options.SubscriptionsFile, stderr);
            }

            PollReport report;
            try
            {
                report = await pipeline.RunAsync(source, await store.GetStateAsync(source.Id), new FetchedPage(page.Content, page.Fetched), CancellationToken.None);
            }
            catch (TickerParseException e)
            {
                throw new CliUsageException($"{snapshot}: cannot parse: {e.Message}");
            }

            foreach (var alert in report.Alerts)
            {
                var item = alert.Item;
                await stdout.WriteLineAsync(options.Json
                    ? CliJson.Line(json =>
                    {
                        json.WriteString("subscriber", alert.SubscriberId);
                        json.WriteString("query", alert.Query);
                        json.WriteString("key", item.Key);
                        json.WriteString("published", CliJson.Utc(item.Published));
                        json.WriteString("headline", item.Headline);
                        CliJson.WriteStrings(json, "matched", alert.Matched);
                    })
                    : string.Create(CultureInfo.InvariantCulture,
                        $"{Path.GetFileName(snapshot)}: {alert.SubscriberId} <- {item.Headline} [{string.Join(", ", alert.Matched)}] (query: {alert.Query}; key {item.Key}; {CliJson.Utc(item.Published)})"));
                alerts++;
            }
        }

        if (!options.Json)
        {
            await stdout.WriteLineAsync($"{alerts} alert(s) from {options.Snapshots.Count} snapshot(s) of source '{source!.Id}' (the first is the baseline)");
        }

        await stdout.FlushAsync();
        return 0;
    }

    /// <summary>A subscription limited to another source can never fire in this replay: say so rather than print nothing.</summary>
    private static async Task WarnAboutOtherSourcesAsync(IReadOnlyList<(string SubscriberId, string Query, string? SourceId)> subscriptions, string sourceId, string file, TextWriter stderr)
    {
        for (var i = 0; i < subscriptions.Count; i++)
        {
            if (subscriptions[i].SourceId is { Length: > 0 } wanted && !string.Equals(wanted, sourceId, StringComparison.OrdinalIgnoreCase))
            {
                await stderr.WriteLineAsync(
                    $"warning: {file}: [{i}] ({subscriptions[i].SubscriberId}) is limited to source '{wanted}', but the snapshots are source '{sourceId}': it cannot match (--source-id names the snapshots' source)");
            }
        }
    }

    /// <summary>Every subscription in the file receives alerts: there is no pausing in a replay.</summary>
    private sealed class ReplayAudience(MatcherIndex matcher) : IAlertAudience
    {
        public ValueTask<ISubscriptionMatcher> GetMatcherAsync(CancellationToken cancellationToken) => ValueTask.FromResult<ISubscriptionMatcher>(matcher);

        public ValueTask<bool> IsReceivingAsync(string subscriberId, CancellationToken cancellationToken) => ValueTask.FromResult(true);
    }

    /// <summary>The seen-set of one replay, in memory: what a successful poll commits, every item on the page with its current text.</summary>
    private sealed class ReplayState : ITickerStateStore
    {
        private readonly Dictionary<string, SourceState> states = new(StringComparer.Ordinal);

        public Task<SourceState?> GetStateAsync(string sourceId, CancellationToken cancellationToken = default) =>
            Task.FromResult(states.GetValueOrDefault(sourceId));

        public Task CommitPollAsync(PollCommit commit, CancellationToken cancellationToken = default)
        {
            var seen = states.TryGetValue(commit.SourceId, out var state)
                ? new Dictionary<string, SeenItem>(state.Seen, StringComparer.Ordinal)
                : new Dictionary<string, SeenItem>(StringComparer.Ordinal);
            foreach (var item in commit.Items)
            {
                seen[item.Key] = SeenItem.Of(item);
            }

            states[commit.SourceId] = new SourceState(seen, commit.ETag, commit.LastModified, commit.PolledAt, 0, null);
            return Task.CompletedTask;
        }

        public Task RecordSuccessAsync(string sourceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task RecordFailureAsync(string sourceId, string error, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<TickerItem>> GetRecentItemsAsync(string sourceId, int count, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<TickerItem>>([]);
    }

    private static async Task<IReadOnlyList<(string SubscriberId, string Query, string? SourceId)>> ReadSubscriptionsAsync(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliUsageException(Directory.Exists(path) ? $"--subscriptions '{path}' is a directory; give the JSON file" : $"subscriptions file not found: {path}");
        }

        JsonDocument document;
        try
        {
            await using var stream = File.OpenRead(path);
            document = await JsonDocument.ParseAsync(stream);
        }
        catch (JsonException e)
        {
            throw new CliUsageException($"{path}: not valid JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new CliUsageException($"{path}: expected a JSON array of {{\"subscriber\", \"query\", \"source\"?}} objects");
            }

            var result = new List<(string, string, string?)>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var query = RequiredString(element, "query", path, index);
                if (!QueryParser.TryParse(query, QueryOptions.Default, out _, out var error))
                {
                    throw new CliUsageException($"{path}: [{index}].query '{query}': {error!.Message}");
                }

                result.Add((RequiredString(element, "subscriber", path, index), query, OptionalString(element, "source", path, index)));
                index++;
            }

            return result;
        }
    }

    private static string RequiredString(JsonElement element, string name, string path, int index) =>
        OptionalString(element, name, path, index) is { Length: > 0 } value
            ? value
            : throw new CliUsageException($"{path}: [{index}].{name} is missing or empty");

    private static string? OptionalString(JsonElement element, string name, string path, int index)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CliUsageException($"{path}: [{index}] is not an object");
        }

        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CliUsageException($"{path}: [{index}].{name} must be a string");
    }

    private sealed record ReplayOptions(string SubscriptionsFile, IReadOnlyList<string> Snapshots, string? Kind, string? SourceId, bool Json)
    {
        public static ReplayOptions Parse(string[] args)
        {
            string? subscriptions = null, kind = null, sourceId = null;
            var json = false;
            var snapshots = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                var arg = args[i];
                switch (arg)
                {
                    case "--json":
                        json = true;
                        break;
                    case "--subscriptions":
                        subscriptions = CliArgs.Value(args, ref i, Usage);
                        break;
                    case "--source-kind":
                        kind = CliArgs.Value(args, ref i, Usage);
                        break;
                    case "--source-id":
                        sourceId = CliArgs.Value(args, ref i, Usage);
                        break;
                    case "-h" or "--help":
                        throw new CliHelpException(Usage);
                    default:
                        CliArgs.Positional(arg, Usage);
                        snapshots.Add(arg);
                        break;
                }
            }

            if (subscriptions is null)
            {
                throw new CliUsageException($"missing --subscriptions FILE. {Usage}");
            }

            return snapshots.Count == 0
                ? throw new CliUsageException($"missing snapshots: give at least one (the first is the baseline). {Usage}")
                : new ReplayOptions(subscriptions, snapshots, kind, sourceId, json);
        }
    }
}
