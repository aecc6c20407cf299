using SteelCI.Testing;

namespace SteelCI.BadInput.Tests;

/// <summary>
/// One bad input given to the steelci process: the setup that makes it, the command line, the exit code the docs
/// promise, and what the message must name (a file:line:column, an option and its value, a path, a URL). By default
/// a refused case (exit 2, 4) writes nothing at all outside the temp folder, and any other writes only inside the
/// workspace.
/// </summary>
public sealed record Case(string Group, string Name, int Exit, Func<Sandbox, string[]> Args, Func<Sandbox, string> Where)
{
    public Action<Sandbox>? Setup { get; init; }
    public Func<Sandbox, Dictionary<string, string>>? Environment { get; init; }
    /// <summary>Folders (besides tmp/) the command may write; default: none for a refusal, the workspace otherwise.</summary>
    public Func<Sandbox, string[]>? MayWrite { get; init; }
    /// <summary>Extra checks after the run (files kept, folders gone).</summary>
    public Action<Sandbox, SteelciProcess.Result>? Then { get; init; }

    public override string ToString() => $"{Group}: {Name}";

    /// <summary>Runs the case in a fresh sandbox and asserts exit code, message, no stack trace, no secret and the diff.</summary>
    public void Check()
    {
        using var box = new Sandbox();
        Setup?.Invoke(box);
        var before = box.Snapshot();
        var environment = Environment?.Invoke(box) ?? [];
        var result = box.Run(Args(box), environment);
        var output = result.Output;

        Assert.True(result.ExitCode == Exit, $"{this}: exit {result.ExitCode}, expected {Exit}\n{output}");
        var where = Where(box);
        Assert.True(output.Contains(where, StringComparison.Ordinal), $"{this}: the message does not name '{where}'\n{output}");
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotMatch(@"\n\s+at [\w.<>`]+\(", output); // no stack frame
        foreach (var secret in environment.Values.Where(v => v.Contains("canary", StringComparison.Ordinal)))
            Assert.DoesNotContain(secret, output);

        var allowed = (MayWrite?.Invoke(box) ?? (Exit is 2 or 4 ? [] : [box.Workspace])).Append(box.Tmp)
            .Select(p => Path.GetRelativePath(box.Root, p)).ToList();
        var written = Sandbox.Diff(before, box.Snapshot())
            .Where(p => !allowed.Any(a => p == a || p.StartsWith(a + Path.DirectorySeparatorChar, StringComparison.Ordinal))).ToList();
        Assert.True(written.Count == 0, $"{this}: wrote outside {string.Join(", ", allowed)}: {string.Join(", ", written)}\n{output}");
        Then?.Invoke(box, result);
    }
}
