using System.Globalization;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.De;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Index.Memory;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Alerts.Benchmarks;

// dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*MatcherBenchmarks*'
// dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*NormalizerBenchmarks*'

/// <summary>
/// One realistic item against 10k / 100k / 1M subscriptions: the matcher index, baseline (a) a loop evaluating every
/// subscription (<see cref="NaiveMatcher"/>), baseline (b) the percolator: the item in a Lucene <see cref="MemoryIndex"/>
/// and every subscription as a pre-built Lucene query. Few fixed iterations: the 1M baselines take seconds per call.
/// The setup prints the index memory per subscription and the number of matches.
/// </summary>
[Config(typeof(FewIterationsConfig))]
[MemoryDiagnoser]
public class MatcherBenchmarks
{
    private MatcherIndex? index;
    private NaiveMatcher? naive;
    private Query[]? lucene;
    private LucenePercolator? percolator;

    [Params(10_000, 100_000, 1_000_000)]
    public int Subscriptions { get; set; }

    [GlobalSetup(Target = nameof(Index))]
    public void SetupIndex()
    {
        var subscriptions = BenchmarkData.Subscriptions(Subscriptions);
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        index = new MatcherIndex(BenchmarkData.Aliases);
        index.AddRange(subscriptions);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var stats = new MatcherIndex.MatchStats();
        var matches = index.Match(BenchmarkData.Item, stats);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// INDEX {Subscriptions} subscriptions: {after - before:N0} bytes, {(after - before) / (double)Subscriptions:F1} bytes/subscription, {index.DistinctQueries:N0} distinct queries, {matches.Count} subscribers matched ({matches.Sum(m => m.SubscriptionIds.Count)} subscriptions), {stats.Candidates} candidate queries evaluated, {stats.MatchedQueries} matched"));
        GC.KeepAlive(subscriptions);
    }

    [GlobalSetup(Target = nameof(NaiveLoop))]
    public void SetupNaive()
    {
        naive = new NaiveMatcher(BenchmarkData.Aliases);
        foreach (var s in BenchmarkData.Subscriptions(Subscriptions))
        {
            naive.Add(s);
        }

        Console.WriteLine($"// NAIVE {Subscriptions}: {naive.Match(BenchmarkData.Item).Count} subscribers matched");
    }

    [GlobalSetup(Target = nameof(LucenePercolator))]
    public void SetupLucene()
    {
        percolator = new LucenePercolator();
        lucene = BenchmarkData.Subscriptions(Subscriptions).Select(s => percolator.ToQuery(QueryParser.Parse(s.Query))).ToArray();
        Console.WriteLine($"// LUCENE {Subscriptions}: {percolator.Percolate(BenchmarkData.Item, lucene)} subscriptions matched");
    }

    [Benchmark(Baseline = true, Description = "(a) naive loop")]
    public int NaiveLoop() => naive!.Match(BenchmarkData.Item).Count;

    [Benchmark(Description = "index")]
    public int Index() => index!.Match(BenchmarkData.Item).Count;

    [Benchmark(Description = "(b) Lucene MemoryIndex percolator")]
    public int LucenePercolator() => percolator!.Percolate(BenchmarkData.Item, lucene!);

    private sealed class FewIterationsConfig : ManualConfig
    {
        public FewIterationsConfig() =>
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(7).WithId("few-iterations"));
    }
}

/// <summary>
/// Own normalizer versus Lucene's StandardTokenizer + LowerCaseFilter + GermanNormalizationFilter + GermanLightStemFilter
/// on the same item text. The setup prints where the two disagree on pairs of words that must (or must not) meet.
/// </summary>
[MemoryDiagnoser]
public class NormalizerBenchmarks
{
    private readonly Analyzer lucene = LucenePercolator.MakeAnalyzer(stem: true);
    private readonly string text = BenchmarkData.Item.Headline + "\n" + BenchmarkData.Item.Body;

    [GlobalSetup]
    public void CompareCorrectness()
    {
        (string A, string B, bool Same)[] pairs =
        [
            ("Drohne", "Drohnen", true), ("Soldat", "Soldaten", true), ("Rakete", "Raketen", true), ("Rakete", "Raketenangriff", false),
            ("Minister", "Ministers", true), ("drone", "drones", true), ("attack", "attacks", true), ("attack", "attacked", true),
            ("attack", "attacking", true), ("country", "countries", true), ("Außenminister", "Aussenminister", true),
            ("Äußerung", "Aeusserung", true), ("München", "Muenchen", true), ("Straße", "Strasse", true), ("Orbán", "Orban", true),
            ("Erdoğan", "Erdogan", true), ("Angriff", "Angriffe", true), ("Angriff", "Angriffen", true), ("Kind", "Kindern", true),
            ("Nato", "Nato-Gipfel", true), ("Natogipfel", "Nato-Gipfel", true), ("Feuer", "Feür", false),
        ];
        var ownErrors = 0;
        var luceneErrors = 0;
        foreach (var (a, b, same) in pairs)
        {
            var ownA = TextNormalizer.Default.Tokenize(a).Select(t => t.Key).ToHashSet();
            var ownSame = TextNormalizer.Default.Tokenize(b).Any(t => ownA.Contains(t.Key));
            var lucA = LucenePercolator.Terms(lucene, a).ToHashSet();
            var lucSame = LucenePercolator.Terms(lucene, b).Any(lucA.Contains);
            ownErrors += ownSame == same ? 0 : 1;
            luceneErrors += lucSame == same ? 0 : 1;
            if (ownSame != same || lucSame != same)
            {
                Console.WriteLine($"// PAIR {a} ~ {b}: expected {same}, own {ownSame}, Lucene {lucSame}");
            }
        }

        Console.WriteLine($"// CORRECTNESS on {pairs.Length} pairs: own wrong {ownErrors}, Lucene wrong {luceneErrors}");
    }

    [Benchmark(Baseline = true, Description = "Lucene analyzer chain")]
    public int Lucene() => LucenePercolator.Terms(lucene, text).Count;

    [Benchmark(Description = "own normalizer")]
    public int Own() => TextNormalizer.Default.Tokenize(text).Count;

    [Benchmark(Description = "own normalizer + item analysis")]
    public int OwnAnalyzed() => AnalyzedItem.Create(BenchmarkData.Item, TextNormalizer.Default).Tokens.Count;
}

/// <summary>Baseline (b): the item in a Lucene MemoryIndex, subscriptions as Lucene queries built from our syntax tree.</summary>
internal sealed class LucenePercolator
{
    private readonly Analyzer stemmed = MakeAnalyzer(stem: true);
    private readonly Analyzer folded = MakeAnalyzer(stem: false);
    private readonly MemoryIndex memory = new();

    public static Analyzer MakeAnalyzer(bool stem) => Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new StandardTokenizer(LuceneVersion.LUCENE_48, reader);
        TokenStream stream = new LowerCaseFilter(LuceneVersion.LUCENE_48, source);
        stream = new GermanNormalizationFilter(stream);
        if (stem)
        {
            stream = new GermanLightStemFilter(stream);
        }

        return new TokenStreamComponents(source, stream);
    });

    public static List<string> Terms(Analyzer analyzer, string text)
    {
        var terms = new List<string>();
        using var stream = analyzer.GetTokenStream("s", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            terms.Add(term.ToString());
        }

        stream.End();
        return terms;
    }

    public int Percolate(TickerItem item, Query[] queries)
    {
        memory.Reset();
        var text = item.Headline + "\n" + item.Body;
        memory.AddField("s", text, stemmed);
        memory.AddField("f", text, folded);
        var count = 0;
        foreach (var q in queries)
        {
            if (memory.Search(q) > 0)
            {
                count++;
            }
        }

        return count;
    }

    public Query ToQuery(QueryNode node)
    {
        switch (node)
        {
            case WordNode w:
                return Phrase(Terms(stemmed, w.Text));
            case PhraseNode p:
                return Phrase(Terms(stemmed, p.Text));
            case PrefixNode p:
                return new PrefixQuery(new Term("f", string.Concat(Terms(folded, p.Text))));
            case AndNode a:
            {
                var q = new BooleanQuery();
                foreach (var o in a.Operands)
                {
                    q.Add(o is NotNode n ? ToQuery(n.Operand) : ToQuery(o), o is NotNode ? Occur.MUST_NOT : Occur.MUST);
                }

                return q;
            }

            case OrNode o:
            {
                var q = new BooleanQuery();
                foreach (var operand in o.Operands)
                {
                    q.Add(ToQuery(operand), Occur.SHOULD);
                }

                return q;
            }

            default:
                throw new NotSupportedException(node.GetType().Name);
        }
    }

    private static Query Phrase(List<string> terms)
    {
        if (terms.Count == 1)
        {
            return new TermQuery(new Term("s", terms[0]));
        }

        var phrase = new PhraseQuery();
        foreach (var t in terms)
        {
            phrase.Add(new Term("s", t));
        }

        return phrase;
    }
}

/// <summary>The item and the subscription mix, generated from a fixed seed.</summary>
internal static class BenchmarkData
{
    public static readonly TickerItem Item = new(
        "ntv-ukraine",
        "k1",
        new DateTimeOffset(2025, 12, 1, 5, 12, 0, TimeSpan.Zero),
        "Russland greift Kiew mit Drohnen und Raketen an – Selenskyj fordert mehr Flugabwehr",
        """
        In der Nacht hat Russland die ukrainische Hauptstadt Kiew erneut mit Drohnen und Raketen angegriffen. Nach Angaben der Luftwaffe wurden 120 Drohnen und acht Marschflugkörper abgeschossen. Trümmer fielen auf mehrere Wohnhäuser im Stadtteil Darnyzja, zwei Menschen wurden getötet, mindestens 14 verletzt.

        Bürgermeister Vitali Klitschko rief die Bewohner auf, in den Schutzräumen zu bleiben. Auch in Charkiw und Odessa gab es Luftalarm; in Odessa wurde die Energie-Infrastruktur getroffen, Tausende Haushalte sind ohne Strom.

        Präsident Wolodymyr Selenskyj forderte von den westlichen Partnern zusätzliche Patriot-Systeme und schnellere Lieferungen von Munition. Der Außenminister der Ukraine sprach von einem gezielten Angriff auf die Zivilbevölkerung. Die Nato-Verbündeten wollen beim Treffen in Brüssel über neue Hilfen beraten. Bundeskanzler Friedrich Merz kündigte an, Deutschland werde weitere Luftverteidigungssysteme liefern. Der Kreml äußerte sich zunächst nicht zu den Angriffen.
        """,
        null,
        "h");

    public static readonly AliasTable Aliases = new(
    [
        ["Selenskyj", "Zelensky", "Zelenskyy", "Selensky", "Зеленський"],
        ["Kyjiw", "Kiew", "Kyiv", "Kiev", "Київ"],
        ["Charkiw", "Charkow", "Kharkiv", "Харків"],
        ["Odessa", "Odesa", "Одеса"],
    ]);

    // News vocabulary: names, places, weapons, politics; many of them occur in the item.
    private static readonly string[] Real =
    [
        "Drohne", "Drohnen", "Rakete", "Raketen", "Kiew", "Kyjiw", "Selenskyj", "Zelensky", "Putin", "Russland", "Ukraine",
        "Charkiw", "Odessa", "Cherson", "Saporischschja", "Donezk", "Luhansk", "Bachmut", "Awdijiwka", "Pokrowsk", "Krim",
        "Sewastopol", "Belgorod", "Kursk", "Moskau", "Minsk", "Lukaschenko", "Nato", "EU", "Brüssel", "Washington", "Trump",
        "Biden", "Merz", "Scholz", "Macron", "Starmer", "Klitschko", "Kreml", "Peskow", "Lawrow", "Schoigu", "Gerassimow",
        "Patriot", "Iris-T", "Taurus", "Leopard", "Abrams", "F-16", "Himars", "Storm", "Shadow", "Marschflugkörper",
        "Flugabwehr", "Luftabwehr", "Luftalarm", "Luftwaffe", "Munition", "Panzer", "Artillerie", "Front", "Offensive",
        "Gegenoffensive", "Waffenruhe", "Waffenstillstand", "Verhandlungen", "Friedensplan", "Sanktionen", "Gas", "Öl",
        "Energie", "Strom", "Stromausfall", "Infrastruktur", "Kraftwerk", "Atomkraftwerk", "Saporischschja-Akw", "IAEA",
        "Grossi", "Flüchtlinge", "Evakuierung", "Zivilisten", "Kinder", "Tote", "Verletzte", "Opfer", "Trümmer",
        "Wohnhaus", "Wohnhäuser", "Schutzraum", "Bunker", "Bürgermeister", "Gouverneur", "Präsident", "Außenminister",
        "Verteidigungsminister", "Bundeskanzler", "Kanzler", "Regierung", "Parlament", "Rada", "Wahl", "Korruption",
        "Spionage", "Sabotage", "Cyberangriff", "Hacker", "Desinformation", "Propaganda", "Mobilisierung", "Rekruten",
        "Soldaten", "Soldat", "Gefangene", "Gefangenenaustausch", "Deserteure", "Wagner", "Prigoschin", "Nordkorea",
        "Iran", "China", "Türkei", "Erdogan", "Polen", "Moldau", "Georgien", "Belarus", "Baltikum", "Litauen", "Lettland",
        "Estland", "Finnland", "Schweden", "Ostsee", "Schwarzmeer", "Schwarzes", "Meer", "Hafen", "Getreide", "Export",
        "Weizen", "Brücke", "Kertsch", "Damm", "Staudamm", "Kachowka", "Überschwemmung", "Angriff", "Angriffe",
        "Raketenangriff", "Drohnenangriff", "Großangriff", "Explosion", "Explosionen", "Brand", "Feuer", "Hilfen",
        "Militärhilfe", "Hilfspaket", "Milliarden", "Kredit", "Wiederaufbau", "Gipfel", "G7", "UN", "Sicherheitsrat",
        "Kriegsverbrechen", "Strafgerichtshof", "Haftbefehl", "Deutschland", "Frankreich", "Großbritannien", "USA",
        "Pentagon", "Austin", "Hegseth", "Rubio", "Witkoff", "Kellogg", "Vance", "Orban", "Fico", "Tusk", "Duda",
        "Nawrocki", "Meloni", "Rutte", "Stoltenberg", "Leyen", "Kallas", "Sybiha", "Kuleba", "Jermak", "Umjerow",
        "Syrskyj", "Saluschnyj", "Budanow", "Geheimdienst", "SBU", "FSB", "Atomwaffen", "Eskalation", "Drohung",
        "Luftverteidigung", "Verbündete", "Partner", "Treffen", "Telefonat", "Zivilbevölkerung", "Stadtteil",
        "Haushalte", "Lieferungen", "Systeme", "Hauptstadt", "Nacht", "Morgen", "Lage", "Region", "Oblast",
    ];

    private static readonly string[] RealPhrases =
    [
        "Angriff auf Kiew", "Drohnen und Raketen", "ohne Strom", "westlichen Partnern", "Patriot-Systeme", "Schwarzes Meer",
        "Atomkraftwerk Saporischschja", "Vitali Klitschko", "Friedrich Merz", "Wolodymyr Selenskyj", "Wladimir Putin",
        "Donald Trump", "Nato-Gipfel", "Treffen in Brüssel", "Angriff auf die Zivilbevölkerung", "Luftalarm in Kiew",
        "Schwarzmeer-Flotte", "Krim-Brücke", "Kursk Offensive", "Waffenstillstand Verhandlungen", "Gefangenenaustausch Russland",
        "Taurus Lieferung", "Iris-T Systeme", "Kachowka Staudamm", "Nordkorea Soldaten", "Sanktionen gegen Russland",
        "Wiederaufbau der Ukraine", "Haftbefehl gegen Putin", "Atomwaffen Drohung", "Cyberangriff auf", "Stromausfall in Charkiw",
        "Energie-Infrastruktur Odessa",
    ];

    private static readonly string[] Synthetic = MakeSynthetic(60_000, new Random(7));

    private static string[] MakeSynthetic(int count, Random random)
    {
        // The long tail of names and places people subscribe to, as pronounceable made-up words.
        string[] onsets = ["B", "Br", "D", "Dr", "F", "Fl", "G", "Gr", "H", "K", "Kr", "L", "M", "N", "P", "Pr", "R", "S", "Sch", "St", "T", "W", "Z"];
        string[] vowels = ["a", "e", "i", "o", "u", "au", "ei", "ie", "y"];
        string[] codas = ["n", "nd", "rg", "ck", "ll", "tz", "rn", "lm", "ch", "st", "m", "r", "sk", "w", "j"];
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < count)
        {
            var syllables = random.Next(2, 4);
            var w = "";
            for (var s = 0; s < syllables; s++)
            {
                w += onsets[random.Next(onsets.Length)].ToLowerInvariant() + vowels[random.Next(vowels.Length)] + codas[random.Next(codas.Length)];
            }

            words.Add(char.ToUpperInvariant(w[0]) + w[1..]);
        }

        return [.. words];
    }

    /// <summary>Share of words drawn from the news vocabulary; the rest come from the long tail.</summary>
    private const double RealShare = 0.015;

    public static List<Subscription> Subscriptions(int count, int seed = 42)
    {
        var random = new Random(seed);
        var subscribers = Enumerable.Range(0, Math.Max(1, count / 5)).Select(i => "telegram:" + (100_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var created = new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var list = new List<Subscription>(count);
        for (var i = 0; i < count; i++)
        {
            var roll = random.NextDouble();
            var query = roll switch
            {
                < 0.45 => Word(random),
                < 0.65 => Word(random) + " " + Word(random),
                < 0.77 => "\"" + (random.NextDouble() < RealShare ? RealPhrases[random.Next(RealPhrases.Length)] : Word(random) + " " + Word(random)) + "\"",
                < 0.90 => Prefix(random),
                < 0.96 => Word(random) + " -" + Word(random),
                _ => Word(random) + " OR " + Word(random),
            };
            list.Add(new Subscription(i + 1, subscribers[random.Next(subscribers.Length)], query, random.NextDouble() < 0.1 ? "ntv-ukraine" : null, created));
        }

        return list;
    }

    private static string Word(Random random) =>
        random.NextDouble() < RealShare ? Real[random.Next(Real.Length)] : Synthetic[Skewed(random, Synthetic.Length)];

    private static string Prefix(Random random)
    {
        string word;
        do
        {
            word = Word(random);
        }
        while (word.Length < 5 || word.Contains('-', StringComparison.Ordinal));

        return word[..random.Next(4, word.Length)] + "*";
    }

    // A Zipf-like skew: a few words are popular, most are rare.
    private static int Skewed(Random random, int count) => (int)(Math.Pow(random.NextDouble(), 2.0) * count);
}
