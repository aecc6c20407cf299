using System.Security.Cryptography;
using System.Text;

namespace SteelCI.Slurm.Ssh;

/// <summary>
/// OpenSSH's known_hosts file, read for one host (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed
/// (|1|salt|hash, HMAC-SHA1 of the name) host names, comma-separated lists, [host]:port for ports other than 22;
/// @revoked lines refuse their key, @cert-authority lines are not supported and skipped.
/// </summary>
public static class KnownHosts
{
    public enum Verdict { Trusted, Unknown, Changed, Revoked }

    public sealed record Check(Verdict Verdict, int? Line = null, string? KnownFingerprint = null);

    public static Check Verify(string? fileText, string knownHostsName, string keyType, byte[] key)
    {
        Check? changed = null;
        var number = 0;
        foreach (var raw in (fileText ?? "").Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var marker = fields[0].StartsWith('@') ? fields[0] : null;
            if (marker is not null)
                fields = fields[1..];
            if (fields.Length < 3 || marker == "@cert-authority" || !Names(fields[0], knownHostsName))
                continue;
            byte[] listed;
            try
            {
                listed = Convert.FromBase64String(fields[2]);
            }
            catch (FormatException)
            {
                continue;
            }
            var same = listed.AsSpan().SequenceEqual(key);
            if (marker == "@revoked" && same)
                return new Check(Verdict.Revoked, number);
            if (marker is not null || fields[1] != keyType)
                continue;
            if (same)
                return new Check(Verdict.Trusted, number);
            changed ??= new Check(Verdict.Changed, number, Fingerprint(listed));
        }
        return changed ?? new Check(Verdict.Unknown);
    }

    /// <summary>OpenSSH's SHA256 fingerprint: base64 of the key blob's SHA-256, no padding.</summary>
    public static string Fingerprint(byte[] key) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(key)).TrimEnd('=');

    private static bool Names(string pattern, string name)
    {
        if (pattern.StartsWith("|1|", StringComparison.Ordinal))
        {
            var parts = pattern.Split('|');
            if (parts.Length != 4)
                return false;
            try
            {
                var hash = HMACSHA1.HashData(Convert.FromBase64String(parts[2]), Encoding.UTF8.GetBytes(name));
                return Convert.ToBase64String(hash) == parts[3];
            }
            catch (FormatException)
            {
                return false;
            }
        }
        return pattern.Split(',').Any(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
    }
}
