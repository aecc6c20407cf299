using SteelCI.Contracts;
using SteelCI.Hashing;
using TorchSharp;
using TorchSharp.PyBridge;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SteelCI.Training;

/// <summary>
/// resume.json: where a partial stage stopped. Format 1 (epoch boundaries only) has the first four fields; format 2
/// adds the position inside an epoch and what is needed to continue from there bit-exactly: the step, the number of
/// steps per epoch and samples (the data order is recomputed from (seed, epoch) and checked against them), the torch
/// generator's state (base64 of <c>torch.get_rng_state()</c>), the running loss of the epoch and the slowest step.
/// </summary>
public sealed record ResumeState(int Format, int EpochsDone, int EpochsTotal, double SecondsPerEpoch)
{
    public const int CurrentFormat = 2;
    public static readonly int[] ReadableFormats = [1, 2];

    /// <summary>Optimizer steps already taken inside epoch <see cref="EpochsDone"/> (0 at an epoch boundary).</summary>
    public int Step { get; init; }
    public int StepsPerEpoch { get; init; }
    public double SecondsPerStep { get; init; }
    /// <summary>The data-order recipe and size, e.g. <c>shuffle(seed*1000+epoch)/n=1600/batch=16</c>; a resume with other data is refused.</summary>
    public string? DataOrder { get; init; }
    /// <summary>torch's default CPU generator state at the checkpoint, base64; null at an epoch boundary (reseeded there).</summary>
    public string? TorchRngState { get; init; }
    public double EpochLossSum { get; init; }
    public DateTimeOffset? WrittenUtc { get; init; }
}

/// <summary>
/// Checkpoint files: weights as safetensors (readable by PyTorch and any safetensors reader), and for a partial stage
/// the optimizer state and resume.json. A file with a missing tensor, a wrong shape, or bytes that do not match the
/// folder's manifest is refused with a message naming what is wrong. Files are written beside their final name and
/// renamed, so a checkpoint folder never holds half a file.
/// </summary>
public static class Checkpoint
{
    public const string Weights = "model.safetensors";
    public const string Optimizer = "optimizer.bin";
    public const string Resume = "resume.json";

    public static void SaveWeights(nn.Module model, string directory, string file = Weights, PendingFiles? pending = null) =>
        PendingFiles.Replace(Path.Combine(directory, file), path => model.save_safetensors(path), pending);

    public static void LoadWeights(nn.Module model, string directory, string file = Weights)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
            throw new BadInputException($"checkpoint {path} is missing");
        VerifyAgainstManifest(directory, file);
        var expected = model.state_dict();
        Dictionary<string, Tensor> stored;
        try
        {
            stored = Safetensors.LoadStateDict(path);
        }
        catch (Exception error) when (error is not BadInputException)
        {
            throw new BadInputException($"{path}: not a readable safetensors file ({error.Message})");
        }
        try
        {
            foreach (var (name, tensor) in expected)
            {
                if (!stored.TryGetValue(name, out var found))
                    throw new BadInputException($"{path}: tensor '{name}' is missing");
                if (!found.shape.SequenceEqual(tensor.shape))
                    throw new BadInputException($"{path}: tensor '{name}' has shape [{string.Join(",", found.shape)}], the model needs [{string.Join(",", tensor.shape)}]");
                if (found.dtype != tensor.dtype)
                    throw new BadInputException($"{path}: tensor '{name}' is {found.dtype}, the model needs {tensor.dtype}");
            }
            foreach (var name in stored.Keys.Where(k => !expected.ContainsKey(k)))
                throw new BadInputException($"{path}: tensor '{name}' does not belong to this model");
        }
        finally
        {
            foreach (var tensor in stored.Values)
                tensor.Dispose();
        }
        model.load_safetensors(path);
    }

    /// <summary>
    /// When the folder has a manifest (every published release does), the file must be listed there with the same size
    /// and sha256; otherwise it was damaged or replaced after the trainer wrote it.
    /// </summary>
    public static void VerifyAgainstManifest(string directory, string file)
    {
        var manifestPath = Path.Combine(directory, Manifest.FileName);
        if (!File.Exists(manifestPath))
            return;
        Manifest manifest;
        try
        {
            manifest = Json.Read<Manifest>(manifestPath);
        }
        catch (InvalidDataException error)
        {
            throw new BadInputException(error.Message);
        }
        var path = Path.Combine(directory, file);
        var entry = manifest.Files.FirstOrDefault(f => f.Path == file)
            ?? throw new BadInputException($"{path}: not listed in {manifestPath}; the checkpoint folder was changed after it was written");
        var bytes = new FileInfo(path).Length;
        if (bytes != entry.Bytes)
            throw new BadInputException($"{path}: {bytes} bytes, the manifest says {entry.Bytes}; the file is damaged or was replaced");
        var hash = Sha256.OfFile(path);
        if (hash != entry.Sha256)
            throw new BadInputException($"{path}: sha256 {hash} does not match the manifest's {entry.Sha256}; the file is damaged or was replaced");
    }

    public static void SaveResume(string directory, OptimizerHelper optimizer, ResumeState state, PendingFiles? pending = null)
    {
        PendingFiles.Replace(Path.Combine(directory, Optimizer), path => optimizer.save_state_dict(path), pending);
        PendingFiles.Replace(Path.Combine(directory, Resume), path => File.WriteAllText(path, Json.Serialize(state)), pending);
    }

    public static ResumeState LoadResume(string directory, OptimizerHelper optimizer)
    {
        var path = Path.Combine(directory, Resume);
        if (!File.Exists(path))
            throw new BadInputException($"resume point {directory} has no {Resume}");
        VerifyAgainstManifest(directory, Resume);
        ResumeState state;
        try
        {
            state = Json.Read<ResumeState>(path);
        }
        catch (InvalidDataException error)
        {
            throw new BadInputException(error.Message);
        }
        if (!ResumeState.ReadableFormats.Contains(state.Format))
            throw new BadInputException($"{path}: resume format {state.Format} is not supported (this trainer reads {string.Join(", ", ResumeState.ReadableFormats)})");
        var optimizerPath = Path.Combine(directory, Optimizer);
        if (!File.Exists(optimizerPath))
            throw new BadInputException($"resume point {directory} has no {Optimizer}");
        VerifyAgainstManifest(directory, Optimizer);
        optimizer.load_state_dict(optimizerPath);
        return state;
    }

    /// <summary>Removes the resume files from an output folder (a finished stage publishes only its model).</summary>
    public static void DeleteResume(string directory)
    {
        foreach (var file in new[] { Optimizer, Resume })
            File.Delete(Path.Combine(directory, file));
    }

    public static string EncodeRng(Tensor state) => Convert.ToBase64String(state.data<byte>().ToArray());

    public static Tensor DecodeRng(string state) => tensor(Convert.FromBase64String(state), ScalarType.Byte);
}
