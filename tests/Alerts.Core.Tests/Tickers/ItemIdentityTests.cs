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
}
