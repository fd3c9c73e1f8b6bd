using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Alerts.Core.Diffing;

/// <summary>How items are identified and compared across polls (SPEC §2). Parsers and stores share these.</summary>
public static class ItemIdentity
{
    /// <summary>Hash of headline and body; equal text gives an equal hash across runs and machines.</summary>
    public static string ContentHash(string headline, string body) =>
        Hash(headline + "\n\u0001\n" + body);

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
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (c == 'ß')
            {
                sb.Append("ss");
            }
        }

        return Hash(sb.ToString());
    }

    /// <summary>Key for an entry without an id of its own: its UTC minute, plus an ordinal for entries of the same minute.</summary>
    public static string TimeKey(DateTimeOffset publishedUtc, int sameMinuteOrdinal) =>
        sameMinuteOrdinal <= 1
            ? publishedUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)
            : publishedUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture) + "#" + sameMinuteOrdinal.ToString(CultureInfo.InvariantCulture);

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 16);
}
