using System.Globalization;
using SteelCI.Slurm.Ssh;

namespace SteelCI.Slurm;

/// <summary>
/// Slurm's command-line tools on a login node over SSH: <c>sbatch --parsable</c> (the script written by SFTP into the
/// attempt's folder first), <c>scontrol show job -o</c> and <c>scontrol show partition -o</c> (one line of KEY=value;
/// the same in 22.05 and 25.x, while 22.05's <c>squeue --json</c> ignores every filter and dumps all jobs of the
/// cluster (squeue(1) of 22.05: "All other formatting and filtering arguments will be ignored") and <c>sacct</c> needs slurmdbd, which
/// many clusters and Debian's own packages lack), <c>scancel</c>. Arguments are single-quoted for the login shell.
/// </summary>
public sealed class SlurmSshClient(SshSession session, IClusterFiles files) : ISlurmClient
{
    public const string ScriptFile = "job.sh";

    public async Task<string> DescribeAsync(CancellationToken cancellationToken)
    {
        var version = (await RunAsync("sinfo --version", "reading Slurm's version", cancellationToken)).Trim();
        return $"ssh {session.Settings.Target} (host key in {session.Settings.KnownHostsFile}, key accepted) runs {version}";
    }

    public async Task<long> SubmitAsync(SlurmSubmission s, CancellationToken cancellationToken)
    {
        // The environment as exports in the script (what REST sends as `environment`), after the #! line.
        var lines = s.Script.Split('\n').ToList();
        lines.InsertRange(1, s.Environment.Select(e => $"export {e.Key}={Quote(e.Value)}"));
        var script = s.WorkingDirectory + "/" + ScriptFile;
        files.WriteText(script, string.Join('\n', lines));
        var arguments = new List<string>
        {
            "sbatch", "--parsable", "--requeue", $"--job-name={s.Name}", $"--partition={s.Partition}",
            $"--time={s.TimeLimitMinutes}", $"--chdir={s.WorkingDirectory}", $"--output={s.StandardOutput}",
        };
        if (s.Gres is not null)
            arguments.Add($"--gres={s.Gres}");
        if (s.Account is not null)
            arguments.Add($"--account={s.Account}");
        if (s.MemoryMb is { } memory)
            arguments.Add($"--mem={memory}M");
        arguments.Add(script);
        var output = await RunAsync(string.Join(' ', arguments.Select(Quote)), $"submitting {s.Name}", cancellationToken);
        // --parsable prints "jobid" or "jobid;cluster".
        var first = output.Trim().Split('\n')[^1].Split(';')[0];
        return long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id : throw new SlurmException($"sbatch on {session.Settings.Target} printed no job id: {output.Trim()}");
    }

    public async Task<SlurmJob?> GetJobAsync(long id, CancellationToken cancellationToken)
    {
        var (exit, output, error) = await session.RunAsync($"scontrol show job -o {id}", cancellationToken);
        if (exit != 0 && (error + output).Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
            return null;
        if (exit != 0)
            throw new SlurmException($"scontrol show job {id} on {session.Settings.Target} exited {exit}: {error.Trim()}");
        return ParseJob(output);
    }

    public async Task<double?> PartitionLimitAsync(string name, CancellationToken cancellationToken)
    {
        var (exit, output, error) = await session.RunAsync($"scontrol show partition -o {Quote(name)}", cancellationToken);
        if (exit != 0)
            throw new SlurmException($"the cluster knows no partition {name} ({error.Trim()}); sinfo lists them");
        return ParseMinutes(Fields(output).GetValueOrDefault("MaxTime"));
    }

    public async Task CancelAsync(long id, CancellationToken cancellationToken)
    {
        var (exit, output, error) = await session.RunAsync($"scancel {id}", cancellationToken);
        if (exit != 0 && !(error + output).Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
            throw new SlurmException($"scancel {id} on {session.Settings.Target} exited {exit}: {error.Trim()}");
    }

    /// <summary>One job of <c>scontrol show job -o</c>: JobState, Reason, ExitCode=return:signal, Restarts.</summary>
    public static SlurmJob ParseJob(string line)
    {
        var fields = Fields(line);
        var id = long.Parse(fields.GetValueOrDefault("JobId") ?? throw new SlurmException($"scontrol printed no JobId: {line.Trim()}"), CultureInfo.InvariantCulture);
        int? code = fields.GetValueOrDefault("ExitCode") is { } exit && int.TryParse(exit.Split(':')[0], CultureInfo.InvariantCulture, out var c) ? c : null;
        var restarts = int.TryParse(fields.GetValueOrDefault("Restarts"), CultureInfo.InvariantCulture, out var r) ? r : 0;
        return new SlurmJob(id, fields.GetValueOrDefault("JobState") ?? "UNKNOWN", [], fields.GetValueOrDefault("Reason"), code, restarts);
    }

    /// <summary>A Slurm duration (MaxTime): UNLIMITED, minutes, [days-]hours:minutes:seconds, or minutes:seconds.</summary>
    public static double? ParseMinutes(string? text)
    {
        if (text is null or "UNLIMITED" or "INFINITE" or "NONE")
            return null;
        var days = 0;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            days = int.Parse(text[..dash], CultureInfo.InvariantCulture);
            text = text[(dash + 1)..];
        }
        var parts = text.Split(':').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var minutes = parts.Length switch
        {
            1 when dash > 0 => parts[0] * 60.0,
            1 => parts[0],
            2 when dash > 0 => parts[0] * 60.0 + parts[1],
            2 => parts[0] + parts[1] / 60.0,
            _ => parts[0] * 60.0 + parts[1] + parts[2] / 60.0,
        };
        return days * 1440 + minutes;
    }

    private static Dictionary<string, string> Fields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? last = null;
        foreach (var token in line.Trim().Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
                fields[last = token[..equals]] = token[(equals + 1)..];
            else if (last is not null)
                fields[last] += " " + token; // a value with spaces (a reason, a path)
        }
        return fields;
    }

    private async Task<string> RunAsync(string command, string what, CancellationToken cancellationToken)
    {
        var (exit, output, error) = await session.RunAsync(command, cancellationToken);
        if (exit != 0)
            throw new SlurmException($"{what} on {session.Settings.Target} failed ({command.Split(' ')[0]} exited {exit}): {error.Trim()}");
        return output;
    }

    /// <summary>A word for a POSIX shell: single quotes, each ' written as '\''.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
