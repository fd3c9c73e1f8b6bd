using System.Globalization;
using System.Text;

namespace Alerts.Core.Matching;

/// <summary>One word of a text: where it stands and the forms matching compares.</summary>
/// <param name="Folded">Case- and German-folded form (prefix terms compare this).</param>
/// <param name="Key">Folded, lightly stemmed and alias-mapped form (word and phrase terms compare this).</param>
/// <param name="Start">Offset of the word in the text it came from.</param>
/// <param name="Length">Length of the word in the text it came from.</param>
/// <param name="Position">Word position; the whole form of a hyphenated compound shares the position of its first part.</param>
/// <param name="IsCompoundWhole">The joined form of a hyphenated compound (<c>Nato-Gipfel</c> → <c>natogipfel</c>), emitted before its parts.</param>
public readonly record struct TextToken(string Folded, string Key, int Start, int Length, int Position, bool IsCompoundWhole);

/// <summary>
/// Normalization shared by queries and items, so that a query word and a text word meet in one canonical form:
/// lower case; German folding with the rules of Lucene's GermanNormalizationFilter (ä/ae→a, ö/oe→o, ü→u and
/// ue→u unless after a vowel or q, ß→ss) plus dropping other Latin diacritics; then a light German stemmer
/// (Lucene's GermanLightStemmer rules) with three English endings (-ies, -ing, -ed); then aliases.
/// docs/matching.md explains why this is our own code rather than the Lucene filters.
/// </summary>
public sealed class TextNormalizer
{
    public static TextNormalizer Default { get; } = new(AliasTable.Empty);

    // Latin letters with diacritics → base letter, computed once from Unicode decomposition.
    private static readonly char[] LatinBase = BuildLatinBase();

    public TextNormalizer(AliasTable aliases) => Aliases = aliases;

    public AliasTable Aliases { get; }

    /// <summary>Splits <paramref name="text"/> into words (see <see cref="TextToken"/>), numbering positions from <paramref name="firstPosition"/>.</summary>
    public List<TextToken> Tokenize(string text, int firstPosition = 0)
    {
        var tokens = new List<TextToken>();
        Tokenize(text, firstPosition, tokens);
        return tokens;
    }

    /// <summary>Appends the words of <paramref name="text"/> to <paramref name="tokens"/>; returns the next free position.</summary>
    public int Tokenize(string text, int firstPosition, List<TextToken> tokens)
    {
        var position = firstPosition;
        var i = 0;
        Span<(int Start, int End)> parts = stackalloc (int, int)[16];
        while (i < text.Length)
        {
            if (!IsWordChar(text[i]))
            {
                i++;
                continue;
            }

            // A compound: segments joined by hyphens with word characters on both sides.
            var partCount = 0;
            var overflow = false;
            while (true)
            {
                var end = ScanSegment(text, i);
                if (partCount < parts.Length)
                {
                    parts[partCount++] = (i, end);
                }
                else
                {
                    overflow = true;
                }

                if (end + 1 < text.Length && IsHyphen(text[end]) && IsWordChar(text[end + 1]))
                {
                    i = end + 1;
                    continue;
                }

                i = end;
                break;
            }

            if (overflow || partCount == 1)
            {
                // Very long hyphen chains are not compounds worth joining; keep their parts as words.
                for (var p = 0; p < partCount; p++)
                {
                    var (s, e) = parts[p];
                    var folded = FoldSegment(text.AsSpan(s, e - s));
                    if (folded.Length > 0)
                    {
                        tokens.Add(new TextToken(folded, KeyOf(folded), s, e - s, position++, false));
                    }
                }

                continue;
            }

            var partFolds = new string[partCount];
            var joined = new StringBuilder();
            for (var p = 0; p < partCount; p++)
            {
                var (s, e) = parts[p];
                partFolds[p] = FoldSegment(text.AsSpan(s, e - s));
                joined.Append(partFolds[p]);
            }

            var whole = joined.ToString();
            var wholeStart = parts[0].Start;
            tokens.Add(new TextToken(whole, KeyOf(whole), wholeStart, parts[partCount - 1].End - wholeStart, position, true));
            for (var p = 0; p < partCount; p++)
            {
                var (s, e) = parts[p];
                if (partFolds[p].Length > 0)
                {
                    tokens.Add(new TextToken(partFolds[p], KeyOf(partFolds[p]), s, e - s, position++, false));
                }
            }
        }

        return position;
    }

    /// <summary>Case and German folding of one word (no stemming): the form prefix terms compare.</summary>
    public static string Fold(ReadOnlySpan<char> word)
    {
        Span<char> buffer = word.Length <= 128 ? stackalloc char[word.Length * 2] : new char[word.Length * 2];
        var n = FoldInto(word, buffer);
        return new string(buffer[..n]);
    }

    /// <summary>The comparison key of a folded word: stemmed, then mapped through the alias table.</summary>
    public string KeyOf(string folded)
    {
        var stem = Stem(folded);
        return Aliases.Canonical(folded, stem) ?? stem;
    }

    /// <summary>Folding and key in one step, for a single query word.</summary>
    public string KeyOfWord(string word) => KeyOf(FoldSegment(word));

    /// <summary>
    /// Light inflection: GermanLightStemmer's two steps (plural and case endings -e, -en, -er, -ern, -em, -es, -s,
    /// comparative -er/-est/-st), with -ies→-y before them and -ing/-ed after them for English. Only endings are removed,
    /// so a closed compound keeps its own stem (<c>raketenangriff</c> is not <c>raket</c>).
    /// </summary>
    public static string Stem(string folded)
    {
        var len = folded.Length;
        if (len <= 3)
        {
            return folded;
        }

        foreach (var c in folded)
        {
            if (c is < 'a' or > 'z')
            {
                // Digits and non-Latin scripts are compared whole: the rules below are for German and English.
                return folded;
            }
        }

        Span<char> s = stackalloc char[len + 1];
        folded.AsSpan().CopyTo(s);
        if (len > 4 && s[len - 3] == 'i' && s[len - 2] == 'e' && s[len - 1] == 's')
        {
            s[len - 3] = 'y';
            len -= 2;
        }

        len = Step1(s, len);
        len = Step2(s, len);
        if (len > 5 && s[len - 3] == 'i' && s[len - 2] == 'n' && s[len - 1] == 'g')
        {
            len -= 3;
        }
        else if (len > 4 && s[len - 2] == 'e' && s[len - 1] == 'd')
        {
            len -= 2;
        }

        return len == folded.Length ? folded : new string(s[..len]);
    }

    private static int Step1(Span<char> s, int len)
    {
        if (len > 5 && s[len - 3] == 'e' && s[len - 2] == 'r' && s[len - 1] == 'n')
        {
            return len - 3;
        }

        if (len > 4 && s[len - 2] == 'e' && s[len - 1] is 'm' or 'n' or 'r' or 's')
        {
            return len - 2;
        }

        if (len > 3 && s[len - 1] == 'e')
        {
            return len - 1;
        }

        if (len > 3 && s[len - 1] == 's' && IsStEnding(s[len - 2]))
        {
            return len - 1;
        }

        return len;
    }

    private static int Step2(Span<char> s, int len)
    {
        if (len > 5 && s[len - 3] == 'e' && s[len - 2] == 's' && s[len - 1] == 't')
        {
            return len - 3;
        }

        if (len > 4 && s[len - 2] == 'e' && s[len - 1] is 'r' or 'n')
        {
            return len - 2;
        }

        if (len > 4 && s[len - 2] == 's' && s[len - 1] == 't' && IsStEnding(s[len - 3]))
        {
            return len - 2;
        }

        return len;
    }

    private static bool IsStEnding(char c) => c is 'b' or 'd' or 'f' or 'g' or 'h' or 'k' or 'l' or 'm' or 'n' or 'r' or 't';

    /// <summary>Folds one segment: a trailing possessive 's goes, inner apostrophes are dropped (<c>don't</c> → <c>dont</c>).</summary>
    internal static string FoldSegment(ReadOnlySpan<char> segment)
    {
        if (segment.Length > 2 && IsApostrophe(segment[^2]) && segment[^1] is 's' or 'S')
        {
            segment = segment[..^2];
        }

        return Fold(segment);
    }

    private static int FoldInto(ReadOnlySpan<char> word, Span<char> output)
    {
        const int normal = 0, vowel = 1, u = 2, umlaut = 3;
        var state = normal;
        var n = 0;
        foreach (var raw in word)
        {
            if (IsApostrophe(raw) || (raw > '\u007F' && CharUnicodeInfo.GetUnicodeCategory(raw) == UnicodeCategory.NonSpacingMark))
            {
                continue;
            }

            var c = char.ToLowerInvariant(raw);
            if (c is >= '\u00C0' and < '\u0250' and not ('ä' or 'ö' or 'ü' or 'ß'))
            {
                c = LatinBase[c - '\u00C0'];
            }

            switch (c)
            {
                case 'a':
                case 'o':
                    output[n++] = c;
                    state = umlaut;
                    break;
                case 'e':
                    if (state is umlaut or u)
                    {
                        // "ae", "oe", "ue" spell an umlaut: drop the e so they meet ä, ö, ü.
                        state = vowel;
                        break;
                    }

                    output[n++] = c;
                    state = vowel;
                    break;
                case 'i':
                case 'q':
                case 'y':
                    output[n++] = c;
                    state = vowel;
                    break;
                case 'u':
                    output[n++] = c;
                    state = state == normal ? u : vowel;
                    break;
                case 'ä':
                    output[n++] = 'a';
                    state = vowel;
                    break;
                case 'ö':
                    output[n++] = 'o';
                    state = vowel;
                    break;
                case 'ü':
                    output[n++] = 'u';
                    state = vowel;
                    break;
                case 'ß':
                    output[n++] = 's';
                    output[n++] = 's';
                    state = normal;
                    break;
                case '.':
                case ',':
                    // Separators inside numbers (10.000) are kept so that 10.000 and 10000 stay different words.
                    output[n++] = c;
                    state = normal;
                    break;
                default:
                    output[n++] = c;
                    state = normal;
                    break;
            }
        }

        return n;
    }

    private static int ScanSegment(string text, int start)
    {
        var i = start;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsWordChar(c))
            {
                i++;
            }
            else if (IsApostrophe(c) && i > start && i + 1 < text.Length && char.IsLetter(text[i + 1]) && char.IsLetter(text[i - 1]))
            {
                i++;
            }
            else if (c is '.' or ',' && i > start && char.IsDigit(text[i - 1]) && i + 1 < text.Length && char.IsDigit(text[i + 1]))
            {
                i++;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    internal static bool IsWordChar(char c) =>
        char.IsLetterOrDigit(c) || (c > '\u007F' && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark);

    internal static bool IsHyphen(char c) => c is '-' or '\u2010' or '\u2011';

    internal static bool IsApostrophe(char c) => c is '\'' or '\u2019' or '\u02BC';

    private static char[] BuildLatinBase()
    {
        var table = new char[0x250 - 0xC0];
        for (var i = 0; i < table.Length; i++)
        {
            var c = (char)(0xC0 + i);
            var lower = char.ToLowerInvariant(c);
            var decomposed = lower.ToString().Normalize(NormalizationForm.FormD);
            table[i] = decomposed.Length > 0 && decomposed[0] < 0x80 ? decomposed[0] : lower;
        }

        // Letters without a decomposition that readers still see as a plain letter.
        table['ø' - 0xC0] = 'o';
        table['Ø' - 0xC0] = 'o';
        table['ł' - 0xC0] = 'l';
        table['Ł' - 0xC0] = 'l';
        table['đ' - 0xC0] = 'd';
        table['Đ' - 0xC0] = 'd';
        table['ı' - 0xC0] = 'i';
        return table;
    }
}
