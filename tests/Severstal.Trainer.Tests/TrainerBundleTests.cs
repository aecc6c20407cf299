using System.Text.Json;

namespace Severstal.Trainer.Tests;

/// <summary>
/// What a trainer bundle carries: <c>dotnet publish</c> of the trainer copies exactly the runtime assemblies its
/// deps.json lists (the build copies that file beside this test). The harness references only SteelCI.Contracts, so
/// the core (runner, spec reader) and YamlDotNet stay out of every bundle.
/// </summary>
public sealed class TrainerBundleTests
{
    private static List<string> BundleAssemblies()
    {
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Severstal.Trainer.deps.json")));
        var libraries = deps.RootElement.GetProperty("targets").EnumerateObject().Single().Value;
        return libraries.EnumerateObject()
            .SelectMany(library => library.Value.TryGetProperty("runtime", out var runtime)
                ? runtime.EnumerateObject().Select(file => Path.GetFileName(file.Name))
                : [])
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    [Fact]
    public void The_trainer_bundle_carries_the_harness_and_the_contracts_but_not_the_core_or_YamlDotNet()
    {
        var files = BundleAssemblies();

        Assert.Contains("Severstal.Trainer.dll", files);
        Assert.Contains("SteelCI.Training.dll", files);
        Assert.Contains("SteelCI.Contracts.dll", files);
        Assert.Contains("TorchSharp.dll", files);
        Assert.DoesNotContain("SteelCI.Core.dll", files);
        Assert.DoesNotContain(files, file => file.StartsWith("YamlDotNet", StringComparison.Ordinal));
    }
}

/// <summary>The trainer contract's command line, written by <see cref="SteelCI.Contracts.TrainerContract.Arguments"/> (predict uses it) and read by the harness.</summary>
public sealed class TrainerCommandLineTests
{
    [Fact]
    public void The_arguments_the_contract_writes_are_the_ones_the_harness_reads()
    {
        var arguments = SteelCI.Contracts.TrainerContract.Arguments("/w/stage.json", [("seg3", "/in/seg3"), ("images", "/in/images")], "/out", 4,
            TimeSpan.FromDays(1));

        var parsed = SteelCI.Training.TrainerArguments.Parse(arguments);

        Assert.Equal("/w/stage.json", parsed.ConfigPath);
        Assert.Equal("/out", parsed.Output);
        Assert.Equal(4, parsed.Threads);
        Assert.Equal(TimeSpan.FromSeconds(86400), parsed.TimeLimit);
        Assert.Equal(new Dictionary<string, string> { ["seg3"] = "/in/seg3", ["images"] = "/in/images" }, parsed.Inputs);
    }
}
