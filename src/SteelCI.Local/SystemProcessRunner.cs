using System.Diagnostics;
using System.Text;
using SteelCI.Ports;

namespace SteelCI.Local;

/// <summary>Real processes (Linux): captured runs, detached starts, liveness by /proc start time, tree kills.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(spec, redirect: true) };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        lock (output)
            return new ProcessResult(process.ExitCode, output.ToString());
    }

    public StartedProcess StartDetached(ProcessSpec spec)
    {
        using var process = Process.Start(StartInfo(spec, redirect: false))
            ?? throw new InvalidOperationException($"could not start {spec.FileName}");
        return new StartedProcess(process.Id, StartTicks(process.Id) ?? 0);
    }

    public bool IsAlive(StartedProcess process) => StartTicks(process.Id) == process.StartTicks;

    public void KillTree(StartedProcess process)
    {
        if (!IsAlive(process))
            return;
        var children = ParentsById();
        var doomed = new List<int> { process.Id };
        for (var i = 0; i < doomed.Count; i++)
            doomed.AddRange(children.Where(c => c.Value == doomed[i]).Select(c => c.Key));
        foreach (var id in doomed)
        {
            try
            {
                using var victim = Process.GetProcessById(id);
                victim.Kill();
            }
            catch (ArgumentException) { } // already gone
            catch (InvalidOperationException) { } // exited meanwhile
        }
    }

    private static ProcessStartInfo StartInfo(ProcessSpec spec, bool redirect)
    {
        var info = new ProcessStartInfo(spec.FileName)
        {
            WorkingDirectory = spec.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = redirect,
            RedirectStandardError = redirect,
            RedirectStandardInput = false,
        };
        foreach (var argument in spec.Arguments)
            info.ArgumentList.Add(argument);
        foreach (var (key, value) in spec.Environment)
            info.Environment[key] = value;
        return info;
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks since boot); null when the process is gone or a zombie.</summary>
    private static long? StartTicks(int id)
    {
        var fields = StatFields(id);
        return fields is null || fields[0] == "Z" ? null : long.Parse(fields[19]);
    }

    /// <summary>The fields of /proc/PID/stat after the command name: [0] is the state, [1] the parent id.</summary>
    private static string[]? StatFields(int id)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{id}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static Dictionary<int, int> ParentsById()
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var id) && StatFields(id) is { } fields)
                parents[id] = int.Parse(fields[1]);
        return parents;
    }
}
