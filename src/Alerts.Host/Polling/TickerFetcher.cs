using System.Net;
using System.Net.Http.Headers;
using Alerts.Core.Tickers;
using Alerts.Host.Options;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Polling;

/// <summary>The result of one conditional GET.</summary>
internal abstract record FetchResult
{
    private FetchResult()
    {
    }

    public sealed record Content(string Body, string? ETag, string? LastModified) : FetchResult;

    /// <summary>304: the page is unchanged and costs no parsing.</summary>
    public sealed record NotModified : FetchResult;

    public sealed record Failed(string Reason) : FetchResult;
}

/// <summary>Fetches a source with conditional GET through the resilient <c>ticker</c> HTTP client.</summary>
internal sealed class TickerFetcher(IHttpClientFactory clients, IOptions<PollingOptions> options)
{
    public const string ClientName = "ticker";

    public async Task<FetchResult> FetchAsync(SourceDefinition source, string? etag, string? lastModified, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, source.Url);
        if (!string.IsNullOrEmpty(etag) && EntityTagHeaderValue.TryParse(etag, out var tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        if (!string.IsNullOrEmpty(lastModified) && DateTimeOffset.TryParse(lastModified, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var since))
        {
            request.Headers.IfModifiedSince = since;
        }

        var client = clients.CreateClient(ClientName);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                return new FetchResult.NotModified();
            }

            if (!response.IsSuccessStatusCode)
            {
                return new FetchResult.Failed($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var max = options.Value.MaxResponseBytes;
            if (response.Content.Headers.ContentLength > max)
            {
                return new FetchResult.Failed($"response of {response.Content.Headers.ContentLength} bytes exceeds Alerts:Polling:MaxResponseBytes ({max})");
            }

            var body = await ReadLimitedAsync(response.Content, max, cancellationToken);
            if (body is null)
            {
                return new FetchResult.Failed($"response exceeds Alerts:Polling:MaxResponseBytes ({max})");
            }

            return new FetchResult.Content(
                body,
                response.Headers.ETag?.ToString(),
                response.Content.Headers.LastModified?.ToString("R"));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FetchResult.Failed($"timed out after {options.Value.Timeout}");
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            return new FetchResult.Failed($"timed out after {options.Value.Timeout}");
        }
        catch (HttpRequestException e)
        {
            return new FetchResult.Failed(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        }
        catch (IOException e)
        {
            // A body cut off mid-way (connection closed before Content-Length bytes) lands here.
            return new FetchResult.Failed($"incomplete response: {e.Message}");
        }
    }

    private static async Task<string?> ReadLimitedAsync(HttpContent content, int max, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        var charset = content.Headers.ContentType?.CharSet?.Trim('"');
        var encoding = System.Text.Encoding.UTF8;
        if (!string.IsNullOrEmpty(charset))
        {
            try
            {
                encoding = System.Text.Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                // Unknown charset: UTF-8 is the web's default and the parsers' best chance.
            }
        }

        return encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
