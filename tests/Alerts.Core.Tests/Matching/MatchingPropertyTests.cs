using System.Text;
using Alerts.Core.Matching;
using CsCheck;
using static Alerts.Core.Tests.Matching.MatchingTestData;

namespace Alerts.Core.Tests.Matching;

/// <summary>Properties over random queries, items and subscription sets (CsCheck).</summary>
public class MatchingPropertyTests
{
    // Real words; every ü follows a consonant, as in real German, so that ü → ue is a pure respelling.
    private static readonly string[] Vocabulary =
    [
        "Drohne", "Drohnen", "Rakete", "Raketen", "Raketenangriff", "Außenminister", "Äußerung", "Münze", "München",
        "Österreich", "Straße", "Grüße", "Kiew", "Kyjiw", "Selenskyj", "Zelensky", "Nato", "Gipfel", "Soldat", "Soldaten",
        "Angriff", "Angriffe", "Panzer", "Übergriff", "Gebäude", "Bürgermeister", "Kämpfe", "Flüchtlinge", "Zerstörung",
        "Waffenruhe", "Krieg", "Front", "Charkiw", "Odessa", "Putin", "Putins", "Lage", "Nacht", "Explosion", "drone",
        "drones", "attack", "attacked", "Nato-Gipfel", "Raketen-Angriff", "F-16", "auf", "in", "der", "die", "über",
    ];

    private static readonly string[] Sources = ["ntv", "zdf"];

    private static readonly Gen<string> GenWord = Gen.OneOf(Vocabulary);

    private static readonly Gen<string> GenTerm = Gen.Frequency(
        (6, GenWord),
        (2, GenWord.Where(w => w.Count(char.IsLetter) >= 4 && !w.Contains('-', StringComparison.Ordinal)).Select(w => w[..Math.Max(3, w.Length - 2)] + "*")),
        (2, GenWord.Array[2, 3].Select(ws => "\"" + string.Join(' ', ws) + "\"")),
        (1, GenWord.Select(w => "headline:" + w)),
        (1, Gen.OneOf("/Droh?ne/", "/\\bF-?16\\b/", "/Ki(ew|jiw)/", "/(aa+)+$/")));

    private static readonly Gen<string> GenQuery = Gen.Recursive<string>((depth, self) =>
    {
        if (depth >= 3)
        {
            return GenTerm;
        }

        return Gen.Frequency(
            (4, GenTerm),
            (2, Gen.Select(self, self, Gen.OneOf(" ", " AND ", "  ")).Select(t => t.Item1 + t.Item3 + t.Item2)),
            (2, Gen.Select(self, self, Gen.OneOf(" OR ", ", ")).Select(t => t.Item1 + t.Item3 + t.Item2)),
            (1, Gen.Select(self, self, Gen.OneOf(" -", " NOT ")).Select(t => t.Item1 + t.Item3 + "(" + t.Item2 + ")")),
            (1, self.Select(q => "(" + q + ")")),
            (1, Gen.Select(self, Gen.OneOf(Sources)).Select(t => t.Item1 + " source:" + t.Item2)));
    });

    private static readonly Gen<string> GenText = GenWord.Array[3, 25].Select(ws => string.Join(' ', ws));

    private static readonly Gen<(string Headline, string Body, string Source)> GenItemText =
        Gen.Select(GenWord.Array[1, 6].Select(ws => string.Join(' ', ws)), GenText, Gen.OneOf(Sources));

    private static bool TryParse(string query, out QueryNode tree)
    {
        var ok = QueryParser.TryParse(query, null, out var parsed, out _);
        tree = parsed!;
        return ok;
    }

    [Fact]
    public void PrintingAndParsingAgainGivesTheSameTree()
    {
        GenQuery.Sample(query =>
        {
            if (!TryParse(query, out var tree))
            {
                return true;
            }

            var printed = tree.ToString();
            var again = QueryParser.Parse(printed);
            return again.Equals(tree) && again.ToString() == printed;
        }, iter: 2000);
    }

    private static string Respell(string text, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            var w = word.Replace("ä", "ae", StringComparison.Ordinal).Replace("ö", "oe", StringComparison.Ordinal)
                .Replace("ü", "ue", StringComparison.Ordinal).Replace("Ä", "Ae", StringComparison.Ordinal)
                .Replace("Ö", "Oe", StringComparison.Ordinal).Replace("Ü", "Ue", StringComparison.Ordinal);
            if (random.Next(2) == 0)
            {
                w = w.Replace("ß", "ss", StringComparison.Ordinal);
            }

            w = random.Next(3) switch
            {
                0 => w.ToLowerInvariant(),
                1 => w.Replace("ß", "SS", StringComparison.Ordinal).ToUpperInvariant(),
                _ => w,
            };
            sb.Append(sb.Length > 0 ? " " : "").Append(w);
        }

        return sb.ToString();
    }

    [Fact]
    public void RespellingTheItemWithOtherCaseOrUmlautSpellingsDoesNotChangeTheResult()
    {
        Gen.Select(GenQuery.Where(q => !q.Contains('/', StringComparison.Ordinal)), GenItemText, Gen.Int).Sample(t =>
        {
            var (query, (headline, body, source), seed) = t;
            if (!TryParse(query, out _))
            {
                return true;
            }

            var original = Match(query, headline, body, source);
            var respelled = Match(query, Respell(headline, seed), Respell(body, seed + 1), source);
            return (original is null) == (respelled is null);
        }, iter: 1500);
    }

    [Fact]
    public void IndexAndNaiveLoopAlwaysAgree()
    {
        var genSubscriptions = Gen.Select(GenQuery, Gen.Int[0, 7], Gen.OneOf<string?>(null, null, "ntv", "zdf")).Array[1, 40];
        Gen.Select(genSubscriptions, GenItemText.Array[1, 4], Gen.Int[0, 10]).Sample(t =>
        {
            var (specs, items, removeEvery) = t;
            using var index = new MatcherIndex(Aliases, Options);
            var naive = new NaiveMatcher(Aliases, Options);
            var id = 0L;
            foreach (var (query, subscriber, source) in specs)
            {
                if (!QueryParser.TryParse(query, null, out _, out _))
                {
                    continue;
                }

                var sub = Sub(++id, "s" + subscriber, query, source);
                index.Add(sub);
                naive.Add(sub);
            }

            for (var remove = 1L; removeEvery > 0 && remove <= id; remove += removeEvery + 1)
            {
                index.Remove(remove);
                naive.Remove(remove);
            }

            Assert.Equal(naive.Count, index.Count);
            foreach (var (headline, body, source) in items)
            {
                var item = Item(headline, body, source);
                var expected = naive.Match(item);
                var actual = index.Match(item);
                Assert.Equal(Describe(expected), Describe(actual));
            }
        }, iter: 400);
    }

    internal static string Describe(IReadOnlyList<SubscriberMatch> matches) =>
        string.Join("\n", matches.OrderBy(m => m.SubscriberId, StringComparer.Ordinal).Select(m => $"{m.SubscriberId} [{string.Join(',', m.SubscriptionIds)}] {m.Query} => {string.Join('|', m.Matched)}"));
}
