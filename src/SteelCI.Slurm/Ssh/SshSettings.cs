namespace SteelCI.Slurm.Ssh;

/// <summary>
/// How to log in to the login node: the key (a file, or an environment variable holding the key's text, e.g. a CI
/// secret), the variable holding its passphrase if any, and the known_hosts file that must list the node's host key.
/// Only paths and variable names: the key and passphrase are read when connecting and never logged.
/// </summary>
public sealed record SshSettings
{
    public required SshTarget Target { get; init; }
    public string? KeyFile { get; init; }
    public string? KeyEnv { get; init; }
    public string? PassphraseEnv { get; init; }
    public required string KnownHostsFile { get; init; }

    /// <summary>~/.ssh/NAME under the HOME this process sees.</summary>
    public static string Home(string name, Func<string, string?> environment) =>
        Path.Combine(environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", name);

    /// <summary>A leading ~/ expanded to HOME.</summary>
    public static string Expand(string path, Func<string, string?> environment) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
