using Augur.Models;
using Augur.Tensors;

namespace Augur.Core.Tests.Models;

public sealed class ModelConfigReaderTests
{
    [Fact]
    public void FullExample_ReadsEverySetting()
    {
        const string json = """
            // comments and trailing commas are allowed
            { "max_batch_size": 32, "instance_count": 2,
              "input":  [{ "name": "features", "datatype": "FP32", "dims": [8] }],
              "output": [{ "name": "probability", "datatype": "FP32", "dims": [-1, 1] },
                         { "name": "label", "datatype": "BYTES", "dims": [] }],
              "version_policy": { "latest": { "num_versions": 2 } },
              "warmup": { "iterations": 3, "batch_size": 4 },
              "parameters": { "intra_op_threads": "1", "fast": true, "ratio": 0.5 }, }
            """;

        Assert.True(ModelConfigReader.TryParse(json, out var config, out var problem), problem);

        Assert.Null(problem);
        Assert.Equal(32, config.MaxBatchSize);
        Assert.Equal(2, config.InstanceCount);
        var input = Assert.Single(config.Inputs!);
        Assert.Equal(("features", DataType.Fp32), (input.Name, input.DataType));
        Assert.Equal([8L], input.Dims);
        Assert.Equal(2, config.Outputs!.Count);
        Assert.Equal(("probability", DataType.Fp32), (config.Outputs[0].Name, config.Outputs[0].DataType));
        Assert.Equal([-1L, 1L], config.Outputs[0].Dims);
        Assert.Equal(("label", DataType.Bytes), (config.Outputs[1].Name, config.Outputs[1].DataType));
        Assert.Empty(config.Outputs[1].Dims);
        Assert.Equal(new VersionPolicy.Latest(2), config.VersionPolicy);
        Assert.Equal(new WarmupConfig(3, 4) { IsExplicit = true }, config.Warmup);
        Assert.Equal(3, config.Parameters.Count);
        Assert.Equal("1", config.Parameters["intra_op_threads"]);
        Assert.Equal("true", config.Parameters["fast"]);
        Assert.Equal("0.5", config.Parameters["ratio"]);
    }

    [Fact]
    public void EmptyObject_TakesTheDefaults()
    {
        Assert.True(ModelConfigReader.TryParse("{}", out var config, out _));

        Assert.Null(config.MaxBatchSize);
        Assert.Equal(1, config.InstanceCount);
        Assert.Null(config.Inputs);
        Assert.Null(config.Outputs);
        Assert.Equal(new VersionPolicy.Latest(1), config.VersionPolicy);
        Assert.Equal(VersionPolicy.Default, config.VersionPolicy);
        Assert.Equal(new WarmupConfig(1, 1), config.Warmup);
        Assert.Empty(config.Parameters);
        Assert.Equal(ModelConfig.Empty.MaxBatchSize, config.MaxBatchSize);
        Assert.Equal("config.json", ModelConfigReader.FileName);
    }

    [Fact]
    public void MaxBatchSizeZero_MeansNoBatching()
    {
        Assert.True(ModelConfigReader.TryParse("""{"max_batch_size": 0}""", out var config, out _));
        Assert.Equal(0, config.MaxBatchSize);
    }

    [Fact]
    public void VersionPolicies_AllThreeForms()
    {
        Assert.True(ModelConfigReader.TryParse("""{"version_policy": {"all": {}}}""", out var all, out _));
        Assert.IsType<VersionPolicy.All>(all.VersionPolicy);

        Assert.True(ModelConfigReader.TryParse("""{"version_policy": {"latest": {}}}""", out var latest, out _));
        Assert.Equal(new VersionPolicy.Latest(1), latest.VersionPolicy);

        Assert.True(ModelConfigReader.TryParse("""{"version_policy": {"specific": {"versions": [3, 1]}}}""", out var specific, out _));
        var policy = Assert.IsType<VersionPolicy.Specific>(specific.VersionPolicy);
        Assert.Equal([3L, 1L], policy.Versions);
    }

    [Fact]
    public void WarmupZeroIterations_DisablesWarmup()
    {
        Assert.True(ModelConfigReader.TryParse("""{"warmup": {"iterations": 0}}""", out var config, out _));
        Assert.Equal(new WarmupConfig(0, 1) { IsExplicit = true }, config.Warmup);
    }

    [Theory]
    [InlineData("""{"max_batch": 8}""", "config.json: unknown setting 'max_batch'")]
    [InlineData("""{"instances": 2}""", "config.json: unknown setting 'instances'")]
    [InlineData("""{"input": [{"name": "x", "datatype": "FP32", "dims": [1], "shape": [1]}]}""", "config.json: unknown setting 'input.shape'")]
    [InlineData("""{"output": [{"name": "x", "data_type": "FP32", "dims": [1]}]}""", "config.json: unknown setting 'output.data_type'")]
    [InlineData("""{"warmup": {"iteration": 2}}""", "config.json: unknown setting 'warmup.iteration'")]
    public void UnknownSetting_IsRejectedWithItsName(string json, string expected)
    {
        Assert.False(ModelConfigReader.TryParse(json, out var config, out var problem));
        Assert.Equal(expected, problem);
        Assert.Same(ModelConfig.Empty, config);
    }

    [Theory]
    [InlineData("""{"version_policy": {"latest": {"num_version": 2}}}""", "version_policy.latest.num_version")]
    [InlineData("""{"version_policy": {"specific": {"versions": [1], "version": [2]}}}""", "version_policy.specific.version")]
    [InlineData("""{"version_policy": {"all": {"num_versions": 2}}}""", "version_policy.all.num_versions")]
    public void UnknownVersionPolicySetting_IsRejectedWithItsName(string json, string name)
    {
        // The reader promises that a misspelt setting is reported rather than ignored; inside
        // version_policy a typo would otherwise silently serve a different set of versions.
        Assert.False(ModelConfigReader.TryParse(json, out _, out var problem));
        Assert.Contains(name, problem);
    }

    [Theory]
    [InlineData("""{"max_batch_size": "8"}""", "config.json: max_batch_size must be an integer from 0 to 65536, not \"8\"")]
    [InlineData("""{"max_batch_size": -1}""", "config.json: max_batch_size must be an integer from 0 to 65536, not -1")]
    [InlineData("""{"max_batch_size": 1.5}""", "config.json: max_batch_size must be an integer from 0 to 65536, not 1.5")]
    [InlineData("""{"max_batch_size": 3000000000}""", "config.json: max_batch_size must be an integer from 0 to 65536, not 3000000000")]
    [InlineData("""{"max_batch_size": null}""", "config.json: max_batch_size must be an integer from 0 to 65536, not null")]
    [InlineData("""{"instance_count": 0}""", "config.json: instance_count must be an integer from 1 to 64, not 0")]
    [InlineData("""{"instance_count": true}""", "config.json: instance_count must be an integer from 1 to 64, not true")]
    [InlineData("""{"instance_count": 65}""", "config.json: instance_count must be an integer from 1 to 64, not 65")]
    [InlineData("""{"max_batch_size": 65537}""", "config.json: max_batch_size must be an integer from 0 to 65536, not 65537")]
    [InlineData("""{"input": {}}""", "config.json: input must be a JSON array, not object")]
    [InlineData("""{"output": [1]}""", "config.json: each entry of 'output' must be a JSON object, not number")]
    [InlineData("""{"input": [{"name": 1, "datatype": "FP32", "dims": [1]}]}""", "config.json: input.name must be a JSON string, not number")]
    [InlineData("""{"input": [{"name": "x", "datatype": "FP32"}]}""", "config.json: each entry of 'input' needs 'name', 'datatype' and 'dims'")]
    [InlineData("""{"input": [{"name": "", "datatype": "FP32", "dims": [1]}]}""", "config.json: each entry of 'input' needs 'name', 'datatype' and 'dims'")]
    [InlineData("""{"input": [{"datatype": "FP32", "dims": [1]}]}""", "config.json: each entry of 'input' needs 'name', 'datatype' and 'dims'")]
    [InlineData("""{"input": [{"name": "x", "datatype": "FP32", "dims": 1}]}""", "config.json: input.dims must be a JSON array, not number")]
    [InlineData("""{"input": [{"name": "x", "datatype": "FP32", "dims": [-2]}]}""", "config.json: input dims must be integers ≥ -1 (-1 means any size), not -2")]
    [InlineData("""{"input": [{"name": "x", "datatype": "FP32", "dims": ["4"]}]}""", "config.json: input dims must be integers ≥ -1 (-1 means any size), not \"4\"")]
    [InlineData("""{"input": [{"name": "x", "datatype": "FP32", "dims": [2.5]}]}""", "config.json: input dims must be integers ≥ -1 (-1 means any size), not 2.5")]
    [InlineData("""{"version_policy": {}}""", "config.json: version_policy needs exactly one of 'latest', 'all', 'specific'")]
    [InlineData("""{"version_policy": {"all": {}, "latest": {}}}""", "config.json: version_policy needs exactly one of 'latest', 'all', 'specific'")]
    [InlineData("""{"version_policy": {"newest": {}}}""", "config.json: version_policy 'newest' is not one of 'latest', 'all', 'specific'")]
    [InlineData("""{"version_policy": "latest"}""", "config.json: version_policy must be a JSON object, not string")]
    [InlineData("""{"version_policy": {"latest": {"num_versions": 0}}}""", "config.json: version_policy.latest.num_versions must be an integer ≥ 1, not 0")]
    [InlineData("""{"version_policy": {"specific": {"versions": []}}}""", "config.json: version_policy.specific needs a non-empty 'versions' array")]
    [InlineData("""{"version_policy": {"specific": {}}}""", "config.json: version_policy.specific needs a non-empty 'versions' array")]
    [InlineData("""{"version_policy": {"specific": {"versions": [0]}}}""", "config.json: version_policy.specific versions must be positive integers, not 0")]
    [InlineData("""{"version_policy": {"specific": {"versions": ["1"]}}}""", "config.json: version_policy.specific versions must be positive integers, not \"1\"")]
    [InlineData("""{"warmup": []}""", "config.json: warmup must be a JSON object, not array")]
    [InlineData("""{"warmup": {"batch_size": 0}}""", "config.json: warmup.batch_size must be an integer ≥ 1, not 0")]
    [InlineData("""{"warmup": {"iterations": -1}}""", "config.json: warmup.iterations must be an integer ≥ 0, not -1")]
    [InlineData("""{"parameters": {"threads": {"n": 1}}}""", "config.json: parameters.threads must be a string, number or boolean")]
    [InlineData("""{"parameters": {"threads": null}}""", "config.json: parameters.threads must be a string, number or boolean")]
    [InlineData("""{"parameters": []}""", "config.json: parameters must be a JSON object, not array")]
    [InlineData("""[]""", "config.json: the document must be a JSON object, not array")]
    [InlineData("""42""", "config.json: the document must be a JSON object, not number")]
    public void BadValues_AreRejectedWithAClearMessage(string json, string expected)
    {
        Assert.False(ModelConfigReader.TryParse(json, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void UnknownDatatype_ListsTheValidOnes()
    {
        Assert.False(ModelConfigReader.TryParse("""{"input": [{"name": "x", "datatype": "FLOAT32", "dims": [1]}]}""", out _, out var problem));
        Assert.Equal(
            "config.json: input datatype 'FLOAT32' is not one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES",
            problem);
    }

    [Theory]
    [InlineData("""{"version_policy": {"latest": 2}}""")]
    [InlineData("""{"version_policy": {"latest": null}}""")]
    [InlineData("""{"version_policy": {"specific": [1, 2]}}""")]
    [InlineData("""{"version_policy": {"specific": "1"}}""")]
    public void VersionPolicyBodyOfTheWrongKind_IsAProblemNotAnException(string json)
    {
        // TryParse reports problems as values: a config.json in the repository must never throw out of the loader.
        var parsed = true;
        string? problem = null;
        var ex = Record.Exception(() => parsed = ModelConfigReader.TryParse(json, out _, out problem));

        Assert.Null(ex);
        Assert.False(parsed);
        Assert.StartsWith("config.json: version_policy", problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"max_batch_size\": }")]
    [InlineData("{'max_batch_size': 1}")]
    public void InvalidJson_IsReportedAsSuch(string json)
    {
        Assert.False(ModelConfigReader.TryParse(json, out _, out var problem));
        Assert.StartsWith("config.json is not valid JSON: ", problem);
    }
}
