using System.Text.Json;

namespace Alerts.Host.Cli;

/// <summary>
/// <c>healthcheck [--url URL]</c> (SPEC §8): asks a running service's <c>/healthz</c> and exits 0 when it answers
/// <c>ok</c> or <c>degraded</c>, 1 otherwise (unhealthy, no answer, not the service). The container's
/// <c>HEALTHCHECK</c> runs it, since the runtime image has no curl.
/// </summary>
internal static class HealthcheckCommand
{
    internal const string Usage = "usage: healthcheck [--url URL] [--timeout SECONDS]   (default URL: http://127.0.0.1:8080/healthz)";

    private const string DefaultUrl = "http://127.0.0.1:8080/healthz";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var (url, timeout) = Parse(args);
        using var http = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await http.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            var status = StatusOf(body);
            if (status is "ok" or "degraded" && response.IsSuccessStatusCode)
            {
                await stdout.WriteLineAsync($"{status}: {url}{Reasons(body)}");
                return 0;
            }

            await stderr.WriteLineAsync($"{status ?? "no health report"} (HTTP {(int)response.StatusCode}): {url}{Reasons(body)}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await stderr.WriteLineAsync($"no answer from {url}: {(e is TaskCanceledException ? $"timed out after {timeout.TotalSeconds:0} s" : e.Message)}");
            return 1;
        }
    }

    private static (Uri Url, TimeSpan Timeout) Parse(string[] args)
    {
        var url = DefaultUrl;
        var seconds = 5.0;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--url":
                    url = CliArgs.Value(args, ref i, Usage);
                    break;
                case "--timeout":
                    var text = CliArgs.Value(args, ref i, Usage);
                    if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out seconds) || seconds <= 0)
                    {
                        throw new CliUsageException($"--timeout '{text}' is not a number of seconds. {Usage}");
                    }

                    break;
                case "-h" or "--help":
                    throw new CliHelpException(Usage);
                default:
                    throw new CliUsageException($"unexpected argument '{args[i]}'. {Usage}");
            }
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliUsageException($"--url '{url}' is not an http(s) URL. {Usage}");
        }

        // A bare service address means its health endpoint.
        if (uri.AbsolutePath is "" or "/")
        {
            uri = new Uri(uri, "/healthz");
        }

        return (uri, TimeSpan.FromSeconds(seconds));
    }

    private static string? StatusOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
                ? status.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Reasons(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("reasons", out var reasons) && reasons.ValueKind == JsonValueKind.Array && reasons.GetArrayLength() > 0
                ? " (" + string.Join("; ", reasons.EnumerateArray().Select(r => r.GetString())) + ")"
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
