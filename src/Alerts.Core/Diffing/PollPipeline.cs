using System.Globalization;
using Alerts.Core.Matching;
using Alerts.Core.Tickers;

namespace Alerts.Core.Diffing;

/// <summary>A page as fetched, with the time it was fetched (SPEC §1: the upper bound for the entries' days).</summary>
/// <param name="Body">The response body or the file's text.</param>
/// <param name="Fetched">When it was fetched; how far it can be trusted depends on where it came from.</param>
/// <param name="ETag">Validator for the next conditional GET.</param>
/// <param name="LastModified">Validator for the next conditional GET.</param>
public sealed record FetchedPage(string Body, FetchTime Fetched, string? ETag = null, string? LastModified = null);

/// <summary>Who may be alerted: the current subscriptions and whether a subscriber receives alerts right now.</summary>
public interface IAlertAudience
{
    /// <summary>The matcher over the current subscriptions; asked only when a poll has new entries.</summary>
    ValueTask<ISubscriptionMatcher> GetMatcherAsync(CancellationToken cancellationToken);

    /// <summary>False for a paused or deactivated subscriber: nothing is enqueued for it.</summary>
    ValueTask<bool> IsReceivingAsync(string subscriberId, CancellationToken cancellationToken);
}

/// <summary>What one poll found and committed.</summary>
/// <param name="Kind">The parser that read the page (the configured kind, or the detected one).</param>
/// <param name="Items">Every entry on the page, newest first, one per key.</param>
/// <param name="Diff">New and updated entries.</param>
/// <param name="Alerts">The outbox rows committed: oldest entry first, then by subscriber id.</param>
public sealed record PollReport(string Kind, IReadOnlyList<TickerItem> Items, DiffResult Diff, IReadOnlyList<NewAlert> Alerts);

/// <summary>
/// The one poll pipeline after the fetch: parse → diff → match → commit (seen-set and outbox rows in one
/// transaction). The service's poller and the <c>replay</c> verb both run it, so that every ingestion rule (parser
/// choice, days from the fetch time, identity, diffing, who is alerted) holds in both by construction.
/// </summary>
/// <param name="maxAlertsPerSubscriber">
/// At most this many alerts per subscriber from one poll (0: no cap); the older rest becomes one summary alert.
/// </param>
public sealed class PollPipeline(IEnumerable<ITickerParser> parsers, ITickerStateStore store, IAlertAudience audience, int maxAlertsPerSubscriber = PollPipeline.DefaultMaxAlertsPerSubscriber)
{
    /// <summary><c>Alerts:Limits:MaxAlertsPerSubscriberPerPoll</c> by default.</summary>
    public const int DefaultMaxAlertsPerSubscriber = 20;

    /// <summary>How long after it went out an alert follows updates of its entry (SPEC §4): its message is edited.</summary>
    public static readonly TimeSpan EditWindow = TimeSpan.FromHours(48);

    /// <summary>How many of the summarised entries the summary alert names.</summary>
    private const int SummaryHeadlines = 5;

    private readonly ITickerParser[] parsers = [.. parsers];

    /// <param name="source">The configured source; an empty <see cref="SourceDefinition.Url"/> means a local file.</param>
    /// <param name="previous">The stored state read before the fetch; null before the first successful poll.</param>
    /// <exception cref="TickerParseException">The page cannot be read: nothing is committed.</exception>
    public async Task<PollReport> RunAsync(SourceDefinition source, SourceState? previous, FetchedPage page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(page);

        var parser = TickerParsers.Choose(parsers, source.Kind, page.Body);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(source.TimeZone);
        var url = Uri.TryCreate(source.Url, UriKind.Absolute, out var absolute) ? absolute : null;
        var items = parser.Parse(page.Body, new ParseContext(source.Id, url, zone, page.Fetched));

        IReadOnlyDictionary<string, string>? renamed = null;
        if (previous is { KeyScheme: < ItemIdentity.CurrentKeyScheme } && parser.Kind == SourceKinds.NtvLiveticker)
        {
            // A seen-set from before the day-independent keys: re-keyed here, where the source's zone is known, and
            // renamed in the store by this poll's commit, so that nothing seen then is new now.
            (previous, renamed) = ItemIdentity.UpgradeLegacyKeys(previous, zone);
        }

        var diff = TickerDiffer.Diff(items, previous);
        var alerts = diff.New.Count == 0 ? [] : await MatchAsync(diff.New, cancellationToken);

        // Committed on every 200, even without news: the store refreshes each item's last-seen time, which keeps
        // entries still on the page from ageing out of the bounded seen-set and alerting again later. Updated entries
        // never alert; their alerts follow them (SPEC §4): an alert not sent yet goes out as the entry is now, and one
        // sent within the edit window becomes an edit of its message, rendered for each subscriber when it is sent.
        var commit = new PollCommit(
            source.Id, items, alerts, page.ETag, page.LastModified, page.Fetched.At, renamed, diff.Updates, page.Fetched.At - EditWindow);
        await store.CommitPollAsync(commit, cancellationToken);
        return new PollReport(parser.Kind, items, diff, alerts);
    }

    private async Task<IReadOnlyList<NewAlert>> MatchAsync(IReadOnlyList<TickerItem> fresh, CancellationToken cancellationToken)
    {
        var matcher = await audience.GetMatcherAsync(cancellationToken);
        var receiving = new Dictionary<string, bool>(StringComparer.Ordinal);
        var alerts = new List<NewAlert>();

        // Oldest first (SPEC §4: several alerts from one poll go out oldest first), and by subscriber id within an
        // entry, so that the outbox order never depends on the index's internal order.
        for (var i = fresh.Count - 1; i >= 0; i--)
        {
            var item = fresh[i];
            foreach (var match in matcher.Match(item).OrderBy(m => m.SubscriberId, StringComparer.Ordinal))
            {
                if (!receiving.TryGetValue(match.SubscriberId, out var receives))
                {
                    receiving[match.SubscriberId] = receives = await audience.IsReceivingAsync(match.SubscriberId, cancellationToken);
                }

                if (receives)
                {
                    alerts.Add(new NewAlert(match.SubscriberId, item, match.Query, match.Matched));
                }
            }
        }

        return Capped(alerts, maxAlertsPerSubscriber);
    }

    /// <summary>
    /// A page that suddenly shows thousands of new entries (a republished archive, a broken source, a hostile one) must
    /// not bury a subscriber under as many messages: the newest <paramref name="cap"/> alerts of each subscriber stay,
    /// the older rest becomes one alert in the place of the oldest of them ("… and 37 more entries matched", naming the
    /// newest few). Order stays oldest first.
    /// </summary>
    internal static IReadOnlyList<NewAlert> Capped(List<NewAlert> alerts, int cap)
    {
        if (cap <= 0 || alerts.Count <= cap)
        {
            return alerts;
        }

        var counts = alerts.CountBy(a => a.SubscriberId, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        if (counts.Values.All(c => c <= cap))
        {
            return alerts;
        }

        // Per subscriber, how many of its oldest alerts give way to the summary.
        var omit = counts.Where(c => c.Value > cap).ToDictionary(c => c.Key, c => c.Value - cap, StringComparer.Ordinal);
        var omitted = omit.Keys.ToDictionary(id => id, _ => new List<NewAlert>(), StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            if (omit.TryGetValue(alert.SubscriberId, out var left) && omitted[alert.SubscriberId].Count < left)
            {
                omitted[alert.SubscriberId].Add(alert);
            }
        }

        var result = new List<NewAlert>(alerts.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            if (!omit.TryGetValue(alert.SubscriberId, out var left))
            {
                result.Add(alert);
                continue;
            }

            var index = seen[alert.SubscriberId] = seen.GetValueOrDefault(alert.SubscriberId) + 1;
            if (index == 1)
            {
                result.Add(Summary(omitted[alert.SubscriberId]));
            }
            else if (index > left)
            {
                result.Add(alert);
            }
        }

        return result;
    }

    private const string SummaryMarker = "#and-";

    /// <summary>
    /// Is the item the summary of <see cref="Capped"/>, and of how many entries? Its stored headline is English; the
    /// renderers word it in the subscriber's language from this count (<c>ChatTexts.MoreMatched</c>).
    /// </summary>
    public static bool IsSummary(string itemKey, out int count)
    {
        count = 0;
        var marker = itemKey.LastIndexOf(SummaryMarker, StringComparison.Ordinal);
        return marker >= 0
            && itemKey.EndsWith("-more", StringComparison.Ordinal)
            && int.TryParse(itemKey.AsSpan(marker + SummaryMarker.Length, itemKey.Length - marker - SummaryMarker.Length - "-more".Length), NumberStyles.None, CultureInfo.InvariantCulture, out count);
    }

    private static NewAlert Summary(List<NewAlert> omitted)
    {
        var oldest = omitted[0];
        var newest = omitted[^1];
        var named = omitted.AsEnumerable().Reverse().Take(SummaryHeadlines).Select(a => "• " + a.Item.Headline);
        var body = string.Join('\n', named) + (omitted.Count > SummaryHeadlines ? "\n…" : "");
        var item = new TickerItem(
            oldest.Item.SourceId,
            $"{oldest.Item.Key}{SummaryMarker}{omitted.Count.ToString(CultureInfo.InvariantCulture)}-more",
            newest.Item.Published,
            $"… and {omitted.Count} more entries matched",
            body,
            newest.Item.Url,
            "");
        var words = omitted.SelectMany(a => a.Matched).Distinct(StringComparer.Ordinal).Take(10).ToList();
        return new NewAlert(oldest.SubscriberId, item, oldest.Query, words);
    }
}
