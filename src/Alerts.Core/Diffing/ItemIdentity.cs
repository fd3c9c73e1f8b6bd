using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Alerts.Core.Diffing;

/// <summary>How items are identified and compared across polls (SPEC §2). Parsers and stores share these.</summary>
public static class ItemIdentity
{
    [ThreadStatic]
    private static XxHash128? contentHasher;

    /// <summary>Hash of headline and body; equal text gives an equal hash across runs and machines.</summary>
    public static string ContentHash(string headline, string body)
    {
        // One hasher per thread, reset per call: a new XxHash128 and its digest array came to ~700 bytes per entry,
        // more than the hex string itself (350 KB per 500-entry page). Reset gives the same state as a new instance.
        var hash = contentHasher ??= new XxHash128();
        hash.Reset();
        hash.Append(MemoryMarshal.AsBytes(headline.AsSpan()));
        hash.Append(MemoryMarshal.AsBytes("\n\u0001\n".AsSpan()));
        hash.Append(MemoryMarshal.AsBytes(body.AsSpan()));
        Span<byte> digest = stackalloc byte[16];
        hash.GetCurrentHash(digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>
    /// The headline reduced to lower-case letters and digits with diacritics dropped, hashed: a fix in
    /// punctuation, spacing, case or an accent keeps the fingerprint.
    /// </summary>
    public static string HeadlineFingerprint(string headline)
    {
        var decomposed = headline.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            // ß first: it is a letter too, and "Straße" corrected to "Strasse" must keep the fingerprint.
            if (c is 'ß' or 'ẞ')
            {
                sb.Append("ss");
            }
            else if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return Hash(sb.ToString());
    }

    /// <summary>Key for an entry without an id of its own: its UTC minute, plus an ordinal for entries of the same minute.</summary>
    public static string TimeKey(DateTimeOffset publishedUtc, int sameMinuteOrdinal) =>
        sameMinuteOrdinal <= 1
            ? publishedUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)
            : publishedUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture) + "#" + sameMinuteOrdinal.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// XxHash128 over the UTF-16 code units: a change detector, not a security boundary, and at a page of 500
    /// entries SHA-256 over UTF-8 cost as much as parsing the page (docs/parsing.md). Stable across runs and machines
    /// (little-endian, as every .NET platform here).
    /// </summary>
    private static string Hash(string text) =>
        Convert.ToHexStringLower(XxHash128.Hash(MemoryMarshal.AsBytes(text.AsSpan())));
}
