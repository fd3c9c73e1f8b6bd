using Alerts.Core.Diffing;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Alerts.Storage.Migrations;
using Alerts.Storage.Sql;
using Alerts.Storage.Tests.Infrastructure;

namespace Alerts.Storage.Tests;

/// <summary>
/// A database written by the build before the day-independent keys (schema 2), then this build migrating it and
/// polling the same page: nothing re-alerts (issue 9).
/// </summary>
public abstract class KeySchemeUpgradeTests(TestDatabase database) : StoreTestBase(database)
{
    private static readonly SourceDefinition Source = new()
    {
        Id = "ntv-ukraine", Kind = SourceKinds.NtvLiveticker, Url = "https://www.n-tv.de/politik/Ukraine-Krieg-im-Liveticker-article23143824.html",
    };

    private const string Page = """
        Ukraine-Krieg im Liveticker+++ 00:03 Explosionen in Kiew +++

        30.11.2025, 00:10 Uhr

        Augenzeugen berichten von mehreren Detonationen.

        +++ 23:50 Luftalarm in Kiew +++

        Die Behörden rufen dazu auf, Schutzräume aufzusuchen.

        +++ 23:50 Luftalarm in Odessa +++

        Auch im Süden heulen die Sirenen.

        +++ 22:15 Selenskyj dankt Verbündeten +++

        Der Präsident bedankt sich für neue Hilfe.
        """;

    private static readonly DateTimeOffset PolledAt = new(2025, 11, 30, 23, 5, 0, TimeSpan.Zero);

    [SkippableFact]
    public async Task AfterTheUpgradeTheSamePageAlertsNothingAndTheNextNewEntryAlertsOnce()
    {
        var options = await Database.CreateDatabaseAsync(migrate: false);
        var sql = SqlDatabase.Create(options);
        await OlderSchema.MigrateToAsync(sql, 2, PolledAt);

        // What the previous build stored for this page, polled at 00:05 on 01.12.: the UTC minute of each entry as its
        // date line said (all a day early), with an ordinal for the two 23:50 entries counted from the bottom, and
        // the alert it had sent for the 00:03 entry.
        string[] legacyKeys = ["2025-11-29T23:03Z", "2025-11-29T22:50Z#2", "2025-11-29T22:50Z", "2025-11-29T21:15Z"];
        string[] headlines = ["Explosionen in Kiew", "Luftalarm in Kiew", "Luftalarm in Odessa", "Selenskyj dankt Verbündeten"];
        DateTimeOffset[] published = [new(2025, 11, 29, 23, 3, 0, TimeSpan.Zero), new(2025, 11, 29, 22, 50, 0, TimeSpan.Zero), new(2025, 11, 29, 22, 50, 0, TimeSpan.Zero), new(2025, 11, 29, 21, 15, 0, TimeSpan.Zero)];
        await WriteLegacyPollAsync(sql, legacyKeys, headlines, published);

        await using var stores = Stores.Open(options);
        Assert.Equal(StorageMigrator.LoadMigrations(sql.Dialect).Count, await stores.Migrator.MigrateAsync());
        Assert.Equal(1, (await stores.Tickers.GetStateAsync(Source.Id))!.KeyScheme);

        var matcher = new MatcherIndex();
        matcher.Add(new Subscription(1, "telegram:1", "Kiew OR Odessa OR Selenskyj", null, DateTimeOffset.UnixEpoch));
        var pipeline = new PollPipeline(TickerParsers.All, stores.Tickers, new EveryoneReceives(matcher));

        var same = await pipeline.RunAsync(Source, await stores.Tickers.GetStateAsync(Source.Id), new FetchedPage(Page, FetchTime.Now(PolledAt.AddMinutes(5))), default);

        Assert.Empty(same.Diff.New);
        Assert.Empty(same.Alerts);
        var state = await stores.Tickers.GetStateAsync(Source.Id);
        Assert.Equal(ItemIdentity.CurrentKeyScheme, state!.KeyScheme);
        Assert.Equal(same.Items.Select(i => i.Key).Order(), state.Seen.Keys.Order());
        Assert.Equal([same.Items[0].Key], await ReadOutboxKeysAsync(sql));

        var next = Page.Replace("Ukraine-Krieg im Liveticker+++ 00:03 Explosionen in Kiew +++", "Ukraine-Krieg im Liveticker+++ 00:20 Entwarnung in Odessa +++\n\n30.11.2025, 00:10 Uhr\n\nDie Sirenen schweigen wieder.\n\n+++ 00:03 Explosionen in Kiew +++", StringComparison.Ordinal)
            .Replace("30.11.2025, 00:10 Uhr\n\nAugenzeugen", "Augenzeugen", StringComparison.Ordinal);
        var later = await pipeline.RunAsync(Source, state, new FetchedPage(next, FetchTime.Now(PolledAt.AddMinutes(20))), default);

        Assert.Equal([("Entwarnung in Odessa", new DateTimeOffset(2025, 11, 30, 23, 20, 0, TimeSpan.Zero))], later.Alerts.Select(a => (a.Item.Headline, a.Item.Published)));
        Assert.Equal(2, (await ReadOutboxKeysAsync(sql)).Count);
    }

    /// <summary>The schema as the previous build left it: migrations 1 and 2, recorded as applied.</summary>
    private static async Task WriteLegacyPollAsync(SqlDatabase sql, string[] keys, string[] headlines, DateTimeOffset[] published)
    {
        var at = sql.Dialect.Time(PolledAt);
        await using var connection = await sql.OpenAsync(default);
        await using (var state = connection.Command(
            "INSERT INTO source_state (source_id, baseline_at, last_success_at, consecutive_failures) VALUES (@s, @at, @at, 0)").With("s", Source.Id).With("at", at))
        {
            await state.ExecuteNonQueryAsync();
        }

        for (var i = 0; i < keys.Length; i++)
        {
            await using var seen = connection.Command(
                """
                INSERT INTO seen_items (source_id, item_key, content_hash, headline_fp, published, first_seen, last_seen)
                VALUES (@s, @k, 'old-hash', @fp, @p, @at, @at)
                """).With("s", Source.Id).With("k", keys[i]).With("fp", ItemIdentity.HeadlineFingerprint(headlines[i])).With("p", sql.Dialect.Time(published[i])).With("at", at);
            await seen.ExecuteNonQueryAsync();
            await using var recent = connection.Command(
                """
                INSERT INTO recent_items (source_id, item_key, published, headline, body, url, content_hash, last_seen)
                VALUES (@s, @k, @p, @h, 'Text.', NULL, 'old-hash', @at)
                """).With("s", Source.Id).With("k", keys[i]).With("p", sql.Dialect.Time(published[i])).With("h", headlines[i]).With("at", at);
            await recent.ExecuteNonQueryAsync();
        }

        await using var outbox = connection.Command(
            """
            INSERT INTO outbox (subscriber_id, source_id, item_key, published, headline, body, url, query, matched, status, attempts, next_attempt_at, enqueued_at, sent_at)
            VALUES ('telegram:1', @s, @k, @p, @h, 'Text.', NULL, 'Kiew', '["Kiew"]', 'sent', 1, @at, @at, @at)
            """).With("s", Source.Id).With("k", keys[0]).With("p", sql.Dialect.Time(published[0])).With("h", headlines[0]).With("at", at);
        await outbox.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> ReadOutboxKeysAsync(SqlDatabase sql)
    {
        await using var connection = await sql.OpenAsync(default);
        await using var command = connection.Command("SELECT item_key FROM outbox ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    private sealed class EveryoneReceives(ISubscriptionMatcher matcher) : IAlertAudience
    {
        public ValueTask<ISubscriptionMatcher> GetMatcherAsync(CancellationToken cancellationToken) => ValueTask.FromResult(matcher);

        public ValueTask<bool> IsReceivingAsync(string subscriberId, CancellationToken cancellationToken) => ValueTask.FromResult(true);
    }
}

public sealed class SqliteKeySchemeUpgradeTests(SqliteTestDatabase database) : KeySchemeUpgradeTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresKeySchemeUpgradeTests(PostgresTestDatabase database) : KeySchemeUpgradeTests(database), IClassFixture<PostgresTestDatabase>;
