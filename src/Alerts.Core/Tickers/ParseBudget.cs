namespace Alerts.Core.Tickers;

/// <summary>
/// What one page may cost the HTML parser (issue 13): a hostile page (100,000 nested elements cost a minute of CPU in
/// AngleSharp's tree builder) fails with a clear reason instead of taking a worker for that long.
/// </summary>
/// <param name="Time">Wall time for building the document.</param>
/// <param name="MaxDepth">Element nesting at which the page is refused; anything shallower, text included, is read.</param>
public sealed record ParseBudget(TimeSpan Time, int MaxDepth)
{
    /// <summary>
    /// Real ticker pages parse in milliseconds and nest a few dozen elements; these bounds are far above that, and
    /// keep the walk's recursion well inside a thread's stack.
    /// </summary>
    public static ParseBudget Default { get; } = new(TimeSpan.FromSeconds(5), 2000);
}
