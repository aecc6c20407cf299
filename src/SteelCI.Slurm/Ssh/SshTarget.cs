using System.Globalization;

namespace SteelCI.Slurm.Ssh;

/// <summary>A login node as compute.slurm.ssh_host writes it: user@host or user@host:port (default port 22).</summary>
public sealed record SshTarget(string User, string Host, int Port)
{
    public static bool TryParse(string? text, out SshTarget target)
    {
        target = null!;
        if (text is null)
            return false;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == text.Length - 1)
            return false;
        var user = text[..at];
        var rest = text[(at + 1)..];
        var port = 22;
        var colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                return false;
            rest = rest[..colon];
        }
        if (rest.Length == 0 || rest.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-')) || user.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
            return false;
        target = new SshTarget(user, rest, port);
        return true;
    }

    /// <summary>The host as known_hosts and ssh-keyscan name it: host, or [host]:port off port 22.</summary>
    public string KnownHostsName => Port == 22 ? Host : $"[{Host}]:{Port}";

    public override string ToString() => Port == 22 ? $"{User}@{Host}" : $"{User}@{Host}:{Port}";
}
