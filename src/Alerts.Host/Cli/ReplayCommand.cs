using System.Globalization;
using System.Text.Json;
using Alerts.Core.Diffing;
using Alerts.Core.Tickers;

namespace Alerts.Host.Cli;

/// <summary>
/// <c>replay --subscriptions FILE SNAPSHOT... [--json] [--source-kind K] [--source-id ID]</c> (SPEC §8): feeds saved
/// snapshots of one source through the service's own differ and matcher, in order, as polls would. The first
/// snapshot is the baseline (it alerts nothing), edits do not alert, and each (subscriber, item) alerts once.
/// The source id (what a subscription's <c>source</c> is compared with) is derived from the first snapshot as
/// <c>check</c> derives it, unless <c>--source-id</c> names it.
/// </summary>
internal static class ReplayCommand
{
    private const string Usage = "usage: replay --subscriptions FILE SNAPSHOT... [--json] [--source-kind K] [--source-id ID]";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = ReplayOptions.Parse(args);
        var matcher = CliMatcher.Create(await ReadSubscriptionsAsync(options.SubscriptionsFile));

        var sourceId = options.SourceId;
        SourceState? state = null;
        var alerts = 0;
        foreach (var snapshot in options.Snapshots)
        {
            var page = await CliPage.LoadAsync(snapshot, options.Kind, sourceId);
            sourceId = page.SourceId;
            var diff = TickerDiffer.Diff(page.Items, state);

            // Oldest first, as a reader would have received them.
            foreach (var item in diff.New.Reverse())
            {
                // By subscriber id, so the output does not depend on the index's internal order.
                foreach (var match in matcher.Match(item).OrderBy(m => m.SubscriberId, StringComparer.Ordinal))
                {
                    await stdout.WriteLineAsync(options.Json
                        ? CliJson.Line(json =>
                        {
                            json.WriteString("subscriber", match.SubscriberId);
                            json.WriteString("query", match.Query);
                            json.WriteString("key", item.Key);
                            json.WriteString("published", CliJson.Utc(item.Published));
                            json.WriteString("headline", item.Headline);
                            CliJson.WriteStrings(json, "matched", match.Matched);
                        })
                        : string.Create(CultureInfo.InvariantCulture,
                            $"{Path.GetFileName(snapshot)}: {match.SubscriberId} <- {item.Headline} [{string.Join(", ", match.Matched)}] (query: {match.Query}; key {item.Key})"));
                    alerts++;
                }
            }

            state = Remember(state, page.Items);
        }

        if (!options.Json)
        {
            await stdout.WriteLineAsync($"{alerts} alert(s) from {options.Snapshots.Count} snapshot(s) of source '{sourceId}' (the first is the baseline)");
        }

        await stdout.FlushAsync();
        _ = stderr;
        return 0;
    }

    /// <summary>What a successful poll commits to the seen-set: every item on the page, new or known, with its current text.</summary>
    private static SourceState Remember(SourceState? state, IReadOnlyList<TickerItem> items)
    {
        var seen = state is null ? new Dictionary<string, SeenItem>(StringComparer.Ordinal) : new Dictionary<string, SeenItem>(state.Seen, StringComparer.Ordinal);
        foreach (var item in items)
        {
            seen[item.Key] = new SeenItem(item.Key, item.ContentHash, ItemIdentity.HeadlineFingerprint(item.Headline), item.Published);
        }

        return new SourceState(seen, null, null, null, 0, null);
    }

    private static async Task<IReadOnlyList<(string SubscriberId, string Query, string? SourceId)>> ReadSubscriptionsAsync(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliUsageException($"subscriptions file not found: {path}");
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
                result.Add((RequiredString(element, "subscriber", path, index), RequiredString(element, "query", path, index), OptionalString(element, "source", path, index)));
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
                        throw new CliUsageException(Usage);
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
