using System.Diagnostics;

namespace SteelCI.Slurm;

/// <summary>A command through /bin/sh on this machine: the REST route's stand-in for the login node (its shared folder is mounted here).</summary>
public static class LocalShell
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string command, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new SlurmException("cannot start /bin/sh");
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, output, await error);
    }
}
