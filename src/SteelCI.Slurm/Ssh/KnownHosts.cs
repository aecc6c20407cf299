using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SteelCI.Slurm.Ssh;

/// <summary>
/// OpenSSH's known_hosts file, read for one host (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed
/// (|1|salt|hash, HMAC-SHA1 of the name) host names, comma-separated lists, [host]:port for ports other than 22;
/// @revoked lines refuse their key, @cert-authority lines are not supported and skipped.
/// <para>
/// The verdict is OpenSSH's (openssh-portable hostfile.c, check_hostkeys_by_key_or_type, read at commit 0ef0f5a8):
/// the offered key equal to a listed one is trusted; "if no key matches but a key with a different type is found,
/// then return HOST_CHANGED": any other key listed for the host, of the same type or another, makes it a changed
/// host, which ssh refuses under StrictHostKeyChecking; only a host with no key listed is unknown (HOST_NEW); a key
/// listed under @revoked is refused whatever else the file holds. A host known by a key of another type is still
/// reached when the server also has that type, because ssh asks for the known types first
/// (sshconnect2.c order_hostkeyalgs, <see cref="Preferred"/>), which <see cref="SshSession"/> does too.
/// </para>
/// </summary>
public static class KnownHosts
{
    public enum Verdict { Trusted, Unknown, Changed, Revoked }

    /// <summary>The verdict; for a change, the first line that lists another key for the host, with that key's type and fingerprint.</summary>
    public sealed record Check(Verdict Verdict, int? Line = null, string? KnownFingerprint = null, string? KnownType = null);

    public static Check Verify(string? fileText, string knownHostsName, byte[] key)
    {
        Check? changed = null;
        int? trusted = null;
        foreach (var (number, marker, type, listed) in Entries(fileText, knownHostsName))
        {
            var same = listed.AsSpan().SequenceEqual(key);
            if (marker == "@revoked" && same)
                return new Check(Verdict.Revoked, number);
            if (marker is not null)
                continue;
            if (same)
                trusted ??= number;
            else
                changed ??= new Check(Verdict.Changed, number, Fingerprint(listed), type);
        }
        return trusted is { } line ? new Check(Verdict.Trusted, line) : changed ?? new Check(Verdict.Unknown);
    }

    /// <summary>The key types (ssh-ed25519, ssh-rsa, ...) listed for the host on plain lines, in file order.</summary>
    public static IReadOnlyList<string> KnownTypes(string? fileText, string knownHostsName) =>
        Entries(fileText, knownHostsName).Where(e => e.Marker is null).Select(e => e.Type).Distinct().ToList();

    /// <summary>
    /// The host key algorithms in the order ssh asks for them (order_hostkeyalgs): as they are when the first one's key
    /// type is known for the host; else those whose key type is known first, the rest after, each group in its order.
    /// </summary>
    public static IReadOnlyList<string> Preferred(IReadOnlyList<string> algorithms, IReadOnlyCollection<string> knownTypes)
    {
        if (algorithms.Count == 0 || knownTypes.Count == 0 || knownTypes.Contains(KeyTypeOf(algorithms[0])))
            return algorithms;
        return [.. algorithms.Where(a => knownTypes.Contains(KeyTypeOf(a))), .. algorithms.Where(a => !knownTypes.Contains(KeyTypeOf(a)))];
    }

    /// <summary>The key type an algorithm signs with: rsa-sha2-256/512 are ssh-rsa keys (RFC 8332); a certificate algorithm is its own.</summary>
    public static string KeyTypeOf(string algorithm) => algorithm is "rsa-sha2-256" or "rsa-sha2-512" ? "ssh-rsa" : algorithm;

    /// <summary>The key type named at the start of an SSH public key blob (RFC 4253 6.6: string type, then the key's fields).</summary>
    public static string KeyType(byte[] key)
    {
        if (key.Length < 4)
            return "unknown";
        var length = BinaryPrimitives.ReadUInt32BigEndian(key);
        return length > 0 && length <= key.Length - 4 ? Encoding.ASCII.GetString(key, 4, (int)length) : "unknown";
    }

    /// <summary>OpenSSH's SHA256 fingerprint: base64 of the key blob's SHA-256, no padding.</summary>
    public static string Fingerprint(byte[] key) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(key)).TrimEnd('=');

    /// <summary>The lines naming the host: line number, marker (@revoked; @cert-authority lines are skipped), key type, key blob.</summary>
    private static IEnumerable<(int Line, string? Marker, string Type, byte[] Key)> Entries(string? fileText, string knownHostsName)
    {
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
                continue; // OpenSSH skips a line whose key does not parse (hostfile.c: "parse error in hostkeys file")
            }
            yield return (number, marker, fields[1], listed);
        }
    }

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
