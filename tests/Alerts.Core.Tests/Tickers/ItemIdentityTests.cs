using System.IO.Hashing;
using System.Runtime.InteropServices;
using Alerts.Core.Diffing;
using Xunit;

namespace Alerts.Core.Tests.Tickers;

/// <summary>Pins the text of keys and hashes the parsers produce, since stored state compares them across versions.</summary>
public sealed class ItemIdentityTests
{
    [Fact]
    public void ContentHashIsXxHash128OfHeadlineSeparatorAndBody()
    {
        // Alternating inputs: the hasher is reused per thread, so a missed reset would leak one call into the next.
        for (var round = 0; round < 3; round++)
        {
            foreach (var (headline, body) in new[] { ("Kiew meldet Angriffe", "Absatz eins.\n\nAbsatz zwei."), ("", ""), ("Ü", new string('x', 1000)) })
            {
                var reference = Convert.ToHexStringLower(XxHash128.Hash(MemoryMarshal.AsBytes((headline + "\n\u0001\n" + body).AsSpan())));
                Assert.Equal(reference, ItemIdentity.ContentHash(headline, body));
            }
        }
    }

    [Theory]
    [InlineData("Angriff auf Straße in Kiew", "Angriff auf Strasse in Kiew")]
    [InlineData("Selenskyj: \"Wir halten stand\"", "Selenskyj – wir halten stand")]
    [InlineData("Außenminister in Brüssel", "AUSSENMINISTER IN BRUSSEL")]
    public void HeadlineFingerprintIgnoresCaseAccentsPunctuationAndEszettSpelling(string original, string corrected) =>
        Assert.Equal(ItemIdentity.HeadlineFingerprint(original), ItemIdentity.HeadlineFingerprint(corrected));

    [Fact]
    public void HeadlineFingerprintTellsDifferentHeadlinesApart() =>
        Assert.NotEqual(ItemIdentity.HeadlineFingerprint("Luftalarm in Kiew"), ItemIdentity.HeadlineFingerprint("Luftalarm in Lwiw"));

    [Fact]
    public void TheFingerprintOfLatinTextIsTheSameAsFromTheWholeStringNormalised()
    {
        // Stored fingerprints (seen_items.headline_fp) were computed by normalising the whole headline; the per-character
        // table for ASCII and Latin-1 must give exactly the same digest, or every stored entry would look edited.
        string[] headlines =
        [
            "Außenminister in Brüssel: „Wir stehen an der Seite der Ukraine“",
            "ÄÖÜ äöü ß ẞ Æ æ Ø ø × ÷ ¼ ½ ° ª º µ ¡ ¿ Ð Þ þ ÿ",
            "150.000 Menschen ohne Strom – 2:1 nach Verlängerung",
            "Kiew, Київ, 🚀 und 東京",
            "",
        ];

        foreach (var headline in headlines)
        {
            var sb = new System.Text.StringBuilder();
            foreach (var c in headline.Normalize(System.Text.NormalizationForm.FormD))
            {
                if (c is 'ß' or 'ẞ')
                {
                    sb.Append("ss");
                }
                else if (char.IsLetterOrDigit(c))
                {
                    sb.Append(char.ToLowerInvariant(c));
                }
            }

            Assert.Equal(Convert.ToHexStringLower(XxHash128.Hash(MemoryMarshal.AsBytes(sb.ToString().AsSpan()))), ItemIdentity.HeadlineFingerprint(headline));
        }
    }

    [Fact]
    public void AnEntryKeyIsTheLocalTimeAndTheFingerprintsFirstSixteenHexDigits()
    {
        var key = ItemIdentity.EntryKey(new TimeOnly(9, 5), "Luftalarm in Kiew");

        Assert.Equal("09:05~" + ItemIdentity.HeadlineFingerprint("Luftalarm in Kiew")[..16], key);
        Assert.Equal(key, ItemIdentity.EntryKey(new TimeOnly(9, 5), "LUFTALARM in Kiew!"));
        Assert.Equal(key, ItemIdentity.EntryKeyFromFingerprint(new TimeOnly(9, 5), ItemIdentity.HeadlineFingerprint("Luftalarm in Kiew")));
    }

    [Theory]
    [InlineData(0, 7, "Außenminister in Brüssel: „Wir stehen an der Seite der Ukraine“", "00:07~760bc31d8154f111")]
    [InlineData(23, 59, "Kiew, Київ, 🚀 und 東京", "23:59~f04397a400a331da")]
    [InlineData(9, 5, "Luftalarm in Kiew", "09:05~5a14bf7c94b4674b")]
    public void EntryKeysKeepTheTextTheyWereStoredWith(int hour, int minute, string headline, string storedKey)
    {
        // Literal keys as an earlier build wrote them into seen-sets: a faster formatter must not change one character.
        Assert.Equal(storedKey, ItemIdentity.EntryKey(new TimeOnly(hour, minute), headline));
        Assert.Equal(storedKey, ItemIdentity.EntryKeyFromFingerprint(new TimeOnly(hour, minute), ItemIdentity.HeadlineFingerprint(headline)));
    }

    [Theory]
    [InlineData("2025-12-01T14:29Z", true)]
    [InlineData("2025-12-01T14:29Z#12", true)]
    [InlineData("15:29~0123456789abcdef", false)]
    [InlineData("https://example.com/a", false)]
    [InlineData("2025-12-01T14:29Z#", false)]
    public void TheOldTimeKeysAreRecognised(string key, bool isTimeKey) => Assert.Equal(isTimeKey, ItemIdentity.IsTimeKey(key));

    [Fact]
    public void OldKeysAreReKeyedFromTheStoredTimeInTheSourcesZoneAndCopiesBecomeOne()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var fingerprint = ItemIdentity.HeadlineFingerprint("Luftalarm in Kiew");
        var at = new DateTimeOffset(2025, 11, 29, 22, 50, 0, TimeSpan.Zero); // 23:50 in Berlin
        var seen = new Dictionary<string, SeenItem>
        {
            ["2025-11-29T22:50Z"] = new("2025-11-29T22:50Z", "h", fingerprint, at),
            ["2025-11-29T22:50Z#2"] = new("2025-11-29T22:50Z#2", "h", fingerprint, at),
            ["guid-7"] = new("guid-7", "h", fingerprint, at),
        };

        var (state, renamed) = ItemIdentity.UpgradeLegacyKeys(new SourceState(seen, null, null, null, 0, null, KeyScheme: 1), berlin);

        var newKey = ItemIdentity.EntryKey(new TimeOnly(23, 50), "Luftalarm in Kiew");
        Assert.Equal(new Dictionary<string, string> { ["2025-11-29T22:50Z"] = newKey, ["2025-11-29T22:50Z#2"] = newKey }, renamed);
        Assert.Equal([newKey, "guid-7"], state.Seen.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ItemIdentity.CurrentKeyScheme, state.KeyScheme);
    }
}
