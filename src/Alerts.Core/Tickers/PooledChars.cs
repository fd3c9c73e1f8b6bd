using System.Buffers;

namespace Alerts.Core.Tickers;

/// <summary>A growable character buffer rented from the shared pool: the parsers collect a whole page's text without a page-sized allocation per poll.</summary>
internal sealed class PooledChars(int initialCapacity) : IDisposable
{
    private char[] buffer = ArrayPool<char>.Shared.Rent(initialCapacity);

    public int Length { get; private set; }

    public ReadOnlySpan<char> Span => buffer.AsSpan(0, Length);

    public void Append(ReadOnlySpan<char> chars)
    {
        if (Length + chars.Length > buffer.Length)
        {
            var grown = ArrayPool<char>.Shared.Rent(Math.Max(buffer.Length * 2, Length + chars.Length));
            buffer.AsSpan(0, Length).CopyTo(grown);
            ArrayPool<char>.Shared.Return(buffer);
            buffer = grown;
        }

        chars.CopyTo(buffer.AsSpan(Length));
        Length += chars.Length;
    }

    public string ToString(int start, int length) => new(buffer, start, length);

    public void Clear() => Length = 0;

    /// <summary>Drops everything from <paramref name="length"/> on.</summary>
    public void Truncate(int length) => Length = Math.Min(Length, length);

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(buffer);
        buffer = [];
        Length = 0;
    }
}
