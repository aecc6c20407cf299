using System.Diagnostics;
using System.Text;

namespace SteelCI.Testing;

/// <summary>Runs the steelci executable built beside a test assembly as a separate process, as a user would.</summary>
public static class SteelciProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "steelci.dll");

    /// <param name="environment">Variables to set; a null value removes the variable from the inherited environment.</param>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["CI"] = "true";
        foreach (var (key, value) in environment)
        {
            if (value is null)
                start.Environment.Remove(key);
            else
                start.Environment[key] = value;
        }
        return Process.Start(start)!;
    }

    /// <summary>Runs to the end (killed with its children after <paramref name="limit"/>, a bound, not a timing assertion).</summary>
    public static Result Run(IReadOnlyDictionary<string, string?> environment, TimeSpan limit, IReadOnlyList<string> args)
    {
        using var process = Start(environment, args);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"steelci {string.Join(' ', args)} did not finish in {limit}:\n{output}");
        }
        process.WaitForExit();
        lock (output)
            return new Result(process.ExitCode, output.ToString());
    }
}
