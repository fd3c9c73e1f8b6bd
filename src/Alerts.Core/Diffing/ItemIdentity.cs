using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Alerts.Core.Diffing;

/// <summary>How items are identified and compared across polls (SPEC §2). Parsers and stores share these.</summary>
public static class ItemIdentity
{
    [ThreadStatic]
    private static XxHash128? t_contentHasher;

    /// <summary>Hash of headline and body; equal text gives an equal hash across runs and machines.</summary>
    public static string ContentHash(string headline, string body)
    {
        // One hasher per thread, reset per call: a new XxHash128 and its digest array came to ~700 bytes per entry,
        // more than the hex string itself (350 KB per 500-entry page). Reset gives the same state as a new instance.
        var hash = t_contentHasher ??= new XxHash128();
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
        Span<byte> digest = stackalloc byte[DigestLength];
        FingerprintDigest(headline, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>
    /// The key of a ticker entry that shows only a time of day (ntv): its local time of day and the first 64 bits of
    /// its headline fingerprint, <c>HH:mm~0123456789abcdef</c>. Nothing in it depends on the day the parser assigns,
    /// so a republished date line, dates that appear or disappear, or a day derived differently never make a seen
    /// entry new (SPEC §2); an entry repeated on the page is one key. The edit rules (a corrected time or headline is
    /// an update) are the differ's (<see cref="TickerDiffer"/>).
    /// </summary>
    public static string EntryKey(TimeOnly localTime, string headline)
    {
        Span<byte> digest = stackalloc byte[DigestLength];
        FingerprintDigest(headline, digest);
        Span<char> key = stackalloc char[EntryKeyLength];
        WriteTimeOfDay(localTime, key);
        Convert.TryToHexStringLower(digest[..(KeyHexDigits / 2)], key[TimePrefixLength..], out _);
        return new string(key);
    }

    /// <summary><see cref="EntryKey"/> from a stored fingerprint (hex, as <see cref="HeadlineFingerprint"/> gives it).</summary>
    public static string EntryKeyFromFingerprint(TimeOnly localTime, ReadOnlySpan<char> fingerprintHex)
    {
        Span<char> key = stackalloc char[EntryKeyLength];
        WriteTimeOfDay(localTime, key);
        fingerprintHex[..KeyHexDigits].CopyTo(key[TimePrefixLength..]);
        return new string(key);
    }

    private const int DigestLength = 16;
    private const int KeyHexDigits = 16;
    private const int TimePrefixLength = 6; // "HH:mm~"
    private const int EntryKeyLength = TimePrefixLength + KeyHexDigits;

    // By hand: a custom numeric format ("00") takes the general formatting path, which cost more than the hashing.
    private static void WriteTimeOfDay(TimeOnly time, Span<char> destination)
    {
        destination[0] = (char)('0' + (time.Hour / 10));
        destination[1] = (char)('0' + (time.Hour % 10));
        destination[2] = ':';
        destination[3] = (char)('0' + (time.Minute / 10));
        destination[4] = (char)('0' + (time.Minute % 10));
        destination[5] = '~';
    }

    /// <summary>
    /// The key scheme this build writes: 1 was the UTC minute with a same-minute ordinal (<see cref="TimeKey"/>) for
    /// ntv entries, 2 is <see cref="EntryKey(TimeOnly, string)"/>. Stores report the scheme of their seen-set so that
    /// the poll pipeline re-keys an older one once (<see cref="UpgradeLegacyKeys"/>).
    /// </summary>
    public const int CurrentKeyScheme = 2;

    /// <summary>
    /// Re-keys a seen-set written with scheme-1 ntv keys: the local time of day comes back from the stored UTC time in
    /// the source's zone (the wall time the page showed, whatever day was assigned then), the fingerprint is stored.
    /// Several old keys may become one (an entry repeated on the page had one key per copy).
    /// </summary>
    /// <returns>The state under the new keys, and the renames (old key → new key) for the store.</returns>
    public static (SourceState State, IReadOnlyDictionary<string, string> Renamed) UpgradeLegacyKeys(SourceState state, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(zone);
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, SeenItem>(state.Seen.Count, StringComparer.Ordinal);
        foreach (var (key, item) in state.Seen.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!IsTimeKey(key) || item.Published is not { } published || item.HeadlineFingerprint.Length < 16)
            {
                seen.TryAdd(key, item);
                continue;
            }

            var local = TimeZoneInfo.ConvertTime(published, zone);
            var newKey = EntryKeyFromFingerprint(new TimeOnly(local.Hour, local.Minute), item.HeadlineFingerprint);
            renamed[key] = newKey;
            seen.TryAdd(newKey, item with { Key = newKey });
        }

        return (state with { Seen = seen, KeyScheme = CurrentKeyScheme }, renamed);
    }

    /// <summary><c>yyyy-MM-ddTHH:mmZ</c>, optionally with <c>#n</c>: what <see cref="TimeKey"/> writes.</summary>
    public static bool IsTimeKey(string key)
    {
        var s = key.AsSpan();
        if (s.Length < 17 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != 'Z')
        {
            return false;
        }

        foreach (var i in (ReadOnlySpan<int>)[0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15])
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
        }

        return s.Length == 17 || (s[17] == '#' && s.Length > 18 && !s[18..].ContainsAnyExceptInRange('0', '9'));
    }

    /// <summary>
    /// What the fingerprint keeps of each character U+0000–U+00FF: up to two lower-case letters or digits packed in
    /// one value (the first in the low 16 bits), 0 for nothing. Letters above U+007F are their base letters after
    /// canonical decomposition ("ä" → "a"), "ß" is "ss": the fast path of the fingerprint for German text.
    /// </summary>
    private static readonly uint[] Latin1Kept = BuildLatin1Kept();

    private static uint[] BuildLatin1Kept()
    {
        var table = new uint[256];
        for (var c = 0; c <= 0xFF; c++)
        {
            var kept = c is 0xDF ? "ss" : KeepLettersAndDigits(((char)c).ToString().Normalize(NormalizationForm.FormD));
            table[c] = kept.Length switch
            {
                0 => 0,
                1 => kept[0],
                2 => kept[0] | ((uint)kept[1] << 16),
                _ => throw new InvalidOperationException($"U+{c:X4} keeps more than two characters"),
            };
        }

        return table;
    }

    private static string KeepLettersAndDigits(string decomposed)
    {
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

        return sb.ToString();
    }

    /// <summary>
    /// The fingerprint's digest. Headlines of ASCII and Latin-1 (German text) take a table per character instead of
    /// normalising the whole string: the same result, since decomposition works per character and the combining marks
    /// it may reorder are dropped anyway. Anything else takes the general path.
    /// </summary>
    private static void FingerprintDigest(string headline, Span<byte> digest)
    {
        if (headline.AsSpan().ContainsAnyExceptInRange('\0', '\u00FF'))
        {
            XxHash128.Hash(MemoryMarshal.AsBytes(KeepLettersAndDigits(headline.Normalize(NormalizationForm.FormD)).AsSpan()), digest);
            return;
        }

        // A Latin-1 character becomes at most two ("ß" → "ss").
        var buffer = headline.Length <= 256 ? stackalloc char[headline.Length * 2] : new char[headline.Length * 2];
        var length = 0;
        var kept = Latin1Kept;
        foreach (var c in headline)
        {
            var letters = kept[c];
            if (letters != 0)
            {
                buffer[length++] = (char)letters;
                if (letters > 0xFFFF)
                {
                    buffer[length++] = (char)(letters >> 16);
                }
            }
        }

        XxHash128.Hash(MemoryMarshal.AsBytes(buffer[..length]), digest);
    }

    /// <summary>Key for an entry without an id of its own: its UTC minute, plus an ordinal for entries of the same minute.</summary>
    public static string TimeKey(DateTimeOffset publishedUtc, int sameMinuteOrdinal) =>
        sameMinuteOrdinal <= 1
            ? publishedUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)
            : publishedUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture) + "#" + sameMinuteOrdinal.ToString(CultureInfo.InvariantCulture);
}
