using System.Diagnostics;
using System.Globalization;

/// <summary>Runs a Python reference script of the bench and reads numbers from its output.</summary>
internal static class Reference
{
    /// <summary>Whether python with numpy and PIL is there; says what to install when not.</summary>
    public static bool Check(string python, string bench)
    {
        if (File.Exists(python) && Run(python, "-c", "import numpy, PIL; print('numpy', numpy.__version__, 'pil', PIL.__version__)") is { } versions)
        {
            Console.Write($"{bench} reference: {versions}");
            return true;
        }
        Console.WriteLine($"{bench} reference: {python} with numpy and PIL is needed: apt-get install -y python3-pil python3-numpy " +
            "(bench/Severstal.Bench/run-loader-bench.sh installs them as root)");
        return false;
    }

    /// <summary>The script's standard output (echoed), or null when it failed (its errors echoed).</summary>
    public static string? Run(string python, string script, params string[] arguments)
    {
        var path = script.EndsWith(".py", StringComparison.Ordinal) ? Path.Combine(AppContext.BaseDirectory, script) : script;
        var start = new ProcessStartInfo(python, [path, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (script.EndsWith(".py", StringComparison.Ordinal))
            Console.Write(output);
        if (process.ExitCode == 0)
            return output;
        Console.WriteLine($"{script} failed ({process.ExitCode}): {errors.Result}");
        return null;
    }

    /// <summary>The number right before (or after) a word of the output.</summary>
    public static double Value(string output, string word, bool before)
    {
        var words = output.Split([' ', '\n', ','], StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(words, word);
        return at < 0 ? throw new InvalidDataException($"'{word}' not in the reference's output")
            : double.Parse(words[before ? at - 1 : at + 1], CultureInfo.InvariantCulture);
    }
}
