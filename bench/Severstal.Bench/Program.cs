using System.Diagnostics;
using System.Globalization;
using Severstal.Models;
using Severstal.Stages;
using SteelCI.Training;
using static TorchSharp.torch;

// Training throughput of one U-Net step (forward, BCE + Dice, backward, Adam) in TorchSharp, then the same
// architecture in PyTorch (Debian's python3-torch, an older libtorch) on the same threads, in the same run.
// Usage: Severstal.Bench [--arch small|resnet18] [--channels 8] [--height 64] [--width 400] [--batch 8] [--steps 20]
//                        [--threads 2] [--python /usr/bin/python3]
//        Severstal.Bench --loader DATA_FOLDER [--images 200] [--batch 8] [--prefetch 4] [--check 16]  (input pipeline, LoaderBench.cs)
//        Severstal.Bench --generate DATA_FOLDER [--images 400]                            (synthetic set, seed 7, for the two above)
//        Severstal.Bench --rle DATA_FOLDER [--repeats 3]                                  (RLE codec, RleBench.cs)
//        Severstal.Bench --layers on|off [--heap keep|default] [--repeats 9]             (per layer, oneDNN on/off, LayerBench.cs)
//        Severstal.Bench --eda DATA_FOLDER [--images 2000] [--threads 2] [--output DIR]   (eda stage vs plain decoding, EdaBench.cs)
var options = new Dictionary<string, string>
{
    ["arch"] = "small", ["channels"] = "8", ["height"] = "64", ["width"] = "400", ["batch"] = "8", ["steps"] = "20",
    ["threads"] = "2", ["python"] = "/usr/bin/python3",
};
for (var i = 0; i + 1 < args.Length; i += 2)
    options[args[i].TrimStart('-')] = args[i + 1];
if (options.TryGetValue("generate", out var generateFolder))
{
    new Severstal.Data.SyntheticSeverstal(seed: 7).Write(generateFolder, int.Parse(options.GetValueOrDefault("images", "400"), CultureInfo.InvariantCulture), 0);
    return 0;
}
if (options.TryGetValue("rle", out var rleFolder))
    return RleBench.Run(rleFolder, int.Parse(options.GetValueOrDefault("repeats", "3"), CultureInfo.InvariantCulture), options["python"]);
if (options.TryGetValue("eda", out var edaFolder))
    return EdaBench.Run(edaFolder, int.Parse(options.GetValueOrDefault("images", "2000"), CultureInfo.InvariantCulture),
        int.Parse(options["threads"], CultureInfo.InvariantCulture), options.GetValueOrDefault("output"));
if (options.TryGetValue("loader", out var dataFolder))
    return LoaderBench.Run(dataFolder, int.Parse(options.GetValueOrDefault("images", "200"), CultureInfo.InvariantCulture),
        int.Parse(options["batch"], CultureInfo.InvariantCulture), int.Parse(options.GetValueOrDefault("prefetch", "4"), CultureInfo.InvariantCulture),
        int.Parse(options.GetValueOrDefault("check", "16"), CultureInfo.InvariantCulture), options["python"]);
int Int(string key) => int.Parse(options[key], CultureInfo.InvariantCulture);
if (options.TryGetValue("layers", out var oneDnn))
    return Severstal.Bench.LayerBench.Run(oneDnn == "on", options.GetValueOrDefault("heap", "keep") == "keep", Int("channels"), Int("height"), Int("width"), Int("batch"),
        int.Parse(options.GetValueOrDefault("repeats", "9"), CultureInfo.InvariantCulture), Int("threads"));
int channels = Int("channels"), height = Int("height"), width = Int("width"), batch = Int("batch"), steps = Int("steps"), threads = Int("threads");
var arch = options["arch"];

set_num_threads(threads);
OneDnn.Disable(); // as the trainer host runs
OneDnn.DisableNnpack();
NativeHeap.KeepFreedMemory();
manual_seed(1);
using var model = ModelSpec.Segmenter(arch, channels);
using var optimizer = optim.Adam(model.parameters(), 1e-3);
var loss = Training.SegmentationLoss(1, 1);
var input = randn(batch, 1, height, width);
var target = (rand(batch, 1, height, width) > 0.8).to(float32);
model.train();
double Step()
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    var value = loss(model.forward(input), target);
    value.backward();
    optimizer.step();
    return value.item<float>();
}
for (var i = 0; i < 3; i++)
    Step();
var clock = Stopwatch.StartNew();
for (var i = 0; i < steps; i++)
    Step();
var seconds = clock.Elapsed.TotalSeconds;
var parameters = model.parameters().Sum(p => p.numel());
var sharp = steps * batch / seconds;
Console.WriteLine(FormattableString.Invariant(
    $"torchsharp arch={arch} channels={channels} params={parameters} input={batch}x1x{height}x{width} threads={threads}: {seconds / steps * 1000:0} ms/step, {sharp:0.0} images/s"));

var script = Path.Combine(AppContext.BaseDirectory, "unet_reference.py");
if (!File.Exists(options["python"]))
{
    Console.WriteLine($"reference skipped: {options["python"]} not found (apt-get install -y python3-torch)");
    return 0;
}
var start = new ProcessStartInfo(options["python"], [script, arch, $"{channels}", $"{height}", $"{width}", $"{batch}", $"{steps}", $"{threads}"])
{ RedirectStandardOutput = true, RedirectStandardError = true };
using var process = Process.Start(start)!;
var output = process.StandardOutput.ReadToEnd();
var errors = process.StandardError.ReadToEnd();
process.WaitForExit();
Console.Write(output);
if (process.ExitCode != 0)
{
    Console.WriteLine($"reference failed: {errors}");
    return 1;
}
var line = output.Split('\n').First(l => l.StartsWith("pytorch", StringComparison.Ordinal));
var reference = double.Parse(line.Split(' ')[^2], CultureInfo.InvariantCulture);
Console.WriteLine(FormattableString.Invariant($"ratio torchsharp/pytorch images/s: {sharp / reference:0.00}"));
return 0;
