using static TorchSharp.torch;

namespace SteelCI.Training;

/// <summary>
/// The device the launcher chose for this process, read from <c>STEELCI_DEVICE</c> (<c>cuda</c> or <c>cpu</c>; unset
/// means <c>cpu</c>). On Kaggle the launcher sets <c>cuda</c> only after checking that the image's torch libraries
/// match TorchSharp's libtorch, and puts them first on LD_LIBRARY_PATH; if TorchSharp still cannot reach CUDA the
/// trainer stops with a message instead of training a GPU stage on the CPU unnoticed.
/// </summary>
public static class TrainerDevice
{
    public const string Variable = "STEELCI_DEVICE";

    /// <summary>"cuda" or "cpu" from the variable's value; anything else is bad input.</summary>
    public static string Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "cpu" => "cpu",
        "cuda" => "cuda",
        var other => throw new BadInputException($"{Variable}={other}: expected cuda or cpu"),
    };

    /// <summary>The chosen device's name, checked against what TorchSharp can load.</summary>
    public static string FromEnvironment()
    {
        var name = Parse(Environment.GetEnvironmentVariable(Variable));
        if (name == "cuda" && !cuda.is_available())
            throw new InvalidOperationException($"{Variable}=cuda, but TorchSharp cannot use CUDA (libtorch_cuda did not load " +
                $"from LD_LIBRARY_PATH={Environment.GetEnvironmentVariable("LD_LIBRARY_PATH")}); see the launcher's log above");
        return name;
    }
}
