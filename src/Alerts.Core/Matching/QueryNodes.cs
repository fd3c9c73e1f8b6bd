using System.Collections;
using System.Text;

namespace Alerts.Core.Matching;

/// <summary>
/// The syntax tree of a subscription query (SPEC §3). Records compare by value, and <see cref="object.ToString"/>
/// prints the canonical query text, which parses back to an equal tree.
/// </summary>
public abstract record QueryNode
{
    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        Print(sb);
        return sb.ToString();
    }

    internal abstract void Print(StringBuilder sb);

    /// <summary>Leaves of the tree (words, prefixes, phrases, regexes, sources): what the term limit counts.</summary>
    public abstract int TermCount { get; }
}

/// <summary>A word: folded, lightly stemmed, alias-mapped. <paramref name="Text"/> is as the user typed it.</summary>
public sealed record WordNode(string Text, bool HeadlineOnly = false) : QueryNode
{
    public override int TermCount => 1;

    internal override void Print(StringBuilder sb) => sb.Append(HeadlineOnly ? "headline:" : "").Append(Text);
}

/// <summary><c>word*</c>: any word whose folded form starts with the folded <paramref name="Text"/> (no stemming).</summary>
public sealed record PrefixNode(string Text, bool HeadlineOnly = false) : QueryNode
{
    public override int TermCount => 1;

    internal override void Print(StringBuilder sb) => sb.Append(HeadlineOnly ? "headline:" : "").Append(Text).Append('*');
}

/// <summary><c>"several words"</c>: the words in this order, adjacent (punctuation and line breaks between them do not count).</summary>
public sealed record PhraseNode(string Text, bool HeadlineOnly = false) : QueryNode
{
    public override int TermCount => 1;

    internal override void Print(StringBuilder sb) => sb.Append(HeadlineOnly ? "headline:" : "").Append('"').Append(Text).Append('"');
}

/// <summary><c>/pattern/</c>: a .NET regular expression over the original text, case-insensitive, NonBacktracking.</summary>
public sealed record RegexNode(string Pattern, bool HeadlineOnly = false) : QueryNode
{
    public override int TermCount => 1;

    internal override void Print(StringBuilder sb) => sb.Append(HeadlineOnly ? "headline:" : "").Append('/').Append(Pattern).Append('/');
}

/// <summary><c>source:ID</c>: the item comes from that source (ids compare case-insensitively).</summary>
public sealed record SourceNode(string SourceId) : QueryNode
{
    public override int TermCount => 1;

    internal override void Print(StringBuilder sb) => sb.Append("source:").Append(SourceId);
}

public sealed record NotNode(QueryNode Operand) : QueryNode
{
    public override int TermCount => Operand.TermCount;

    internal override void Print(StringBuilder sb)
    {
        sb.Append('-');
        PrintGrouped(sb, Operand, Operand is AndNode or OrNode);
    }

    internal static void PrintGrouped(StringBuilder sb, QueryNode node, bool parenthesize)
    {
        if (parenthesize)
        {
            sb.Append('(');
        }

        node.Print(sb);
        if (parenthesize)
        {
            sb.Append(')');
        }
    }
}

/// <summary>All operands (implicit AND). Never nested directly in another AND and never with one operand.</summary>
public sealed record AndNode(NodeList Operands) : QueryNode
{
    public override int TermCount => Operands.Sum(o => o.TermCount);

    internal override void Print(StringBuilder sb)
    {
        for (var i = 0; i < Operands.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            NotNode.PrintGrouped(sb, Operands[i], Operands[i] is OrNode);
        }
    }
}

/// <summary>Any operand. Never nested directly in another OR and never with one operand.</summary>
public sealed record OrNode(NodeList Operands) : QueryNode
{
    public override int TermCount => Operands.Sum(o => o.TermCount);

    internal override void Print(StringBuilder sb)
    {
        for (var i = 0; i < Operands.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(" OR ");
            }

            Operands[i].Print(sb);
        }
    }
}

/// <summary>An immutable list that compares by its elements, so that tree records compare by value.</summary>
public sealed class NodeList(IReadOnlyList<QueryNode> items) : IReadOnlyList<QueryNode>, IEquatable<NodeList>
{
    private readonly QueryNode[] items = [.. items];

    public QueryNode this[int index] => items[index];

    public int Count => items.Length;

    public IEnumerator<QueryNode> GetEnumerator() => ((IEnumerable<QueryNode>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();

    public bool Equals(NodeList? other) => other is not null && items.AsSpan().SequenceEqual(other.items);

    public override bool Equals(object? obj) => Equals(obj as NodeList);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public static implicit operator NodeList(QueryNode[] items) => new(items);
}
