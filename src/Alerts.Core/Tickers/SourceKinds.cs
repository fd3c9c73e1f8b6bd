namespace Alerts.Core.Tickers;

public static class SourceKinds
{
    public const string NtvLiveticker = "ntv-liveticker";
    public const string LiveblogJsonLd = "liveblog-jsonld";
    public const string Feed = "feed";

    public static readonly IReadOnlyList<string> All = [NtvLiveticker, LiveblogJsonLd, Feed];
}
