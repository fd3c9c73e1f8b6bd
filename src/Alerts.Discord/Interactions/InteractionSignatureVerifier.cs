using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace Alerts.Discord.Interactions;

/// <summary>
/// Checks <c>X-Signature-Ed25519</c> over <c>X-Signature-Timestamp</c> + raw body with the application's public key
/// (SPEC §7). Also rejects timestamps further than <see cref="DiscordOptions.SignatureMaxAge"/> from now, so a
/// captured request cannot be replayed later; Discord sends the current Unix time in seconds.
/// </summary>
public sealed class InteractionSignatureVerifier
{
    private const int SignatureHexLength = 128;

    private readonly PublicKey? publicKey;
    private readonly TimeProvider time;
    private readonly TimeSpan maxAge;

    public InteractionSignatureVerifier(IOptions<DiscordOptions> options, TimeProvider time)
    {
        this.time = time;
        maxAge = options.Value.SignatureMaxAge;
        var hex = options.Value.PublicKey.Trim();
        if (hex.Length == 64 && hex.All(char.IsAsciiHexDigit))
        {
            publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, Convert.FromHexString(hex), KeyBlobFormat.RawPublicKey);
        }
    }

    /// <summary>True only for a well-formed, fresh, valid signature. Never throws on bad input.</summary>
    public bool IsValid(string? signatureHex, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (publicKey is null
            || signatureHex is not { Length: SignatureHexLength }
            || !signatureHex.All(char.IsAsciiHexDigit)
            || string.IsNullOrEmpty(timestamp)
            || timestamp.Length > 20
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds)
            || unixSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        if (age.Duration() > maxAge)
        {
            return false;
        }

        var timestampBytes = Encoding.ASCII.GetBytes(timestamp);
        var message = new byte[timestampBytes.Length + body.Length];
        timestampBytes.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(timestampBytes.Length));
        return SignatureAlgorithm.Ed25519.Verify(publicKey, message, Convert.FromHexString(signatureHex));
    }
}
