using System.Text;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.Tensors;
using static Augur.OnnxRuntime.Tests.Pipelines.Featurize;

namespace Augur.OnnxRuntime.Tests.Sparse;

/// <summary>
/// Each featurizer's sparse rows (design note 0017) densified are its dense output bit for bit, on the featurizer tests'
/// inputs and a few more; a problem is the same problem; rows packed as BYTES join and split like any tensor's.
/// </summary>
public sealed class SparseFeaturizerTests
{
    private static readonly string[] Reviews =
    [
        "hello world", "hello hello hello", "Hello, World!", "", "   ", "CAFÉ café İyi", "slow  service\tand COLD food\r\nnever again",
        "great great great great", "a b c d e f g h i j k l m n o p", "日本語 テキスト 日本語",
    ];

    private static SparseRows Sparse(IFeaturizer featurizer, params InferenceTensor[] inputs)
    {
        var sparse = Assert.IsAssignableFrom<ISparseFeaturizer>(featurizer);
        Assert.True(sparse.TryRunSparse(inputs, out var rows, out var problem), problem);
        return rows;
    }

    private static void AssertSameBits(IFeaturizer featurizer, params InferenceTensor[] inputs)
    {
        var dense = Run(featurizer, inputs);
        var rows = Sparse(featurizer, inputs);
        var densified = rows.ToDense("out");
        Assert.Equal(dense.Shape.ToArray(), densified.Shape.ToArray());
        Assert.Equal(dense.Data.ToArray(), densified.Data.ToArray());
        for (var row = 0; row < rows.Rows; row++)
        {
            var columns = rows.Indices[rows.RowStarts[row]..rows.RowStarts[row + 1]];
            Assert.Equal(columns.Order().Distinct(), columns);
        }
    }

    [Theory]
    [InlineData("""{"buckets": 32, "ngram_max": 2}""")]
    [InlineData("""{"buckets": 4096, "ngram_min": 1, "ngram_max": 2, "seed": 0}""")]
    [InlineData("""{"buckets": 65536, "ngram_min": 1, "ngram_max": 3}""")]
    [InlineData("""{"buckets": 1, "ngram_max": 3}""")]
    [InlineData("""{"buckets": 7, "lowercase": false, "seed": 4294967295}""")]
    [InlineData("""{"buckets": 1000, "ngram_min": 2, "ngram_max": 3}""")]
    public void Text_ngrams_sparse_is_the_dense_counts_bit_for_bit(string settings) =>
        AssertSameBits(Create("text_ngrams", settings), Strings("text", Reviews, Reviews.Length, 1));

    [Fact]
    public void Text_ngrams_sparse_lists_only_the_buckets_a_text_has_with_their_counts()
    {
        var rows = Sparse(Create("text_ngrams", """{"buckets": 65536}"""), Strings("text", ["hello hello world", ""], 2, 1));

        // hello 613153351, world 4220927227 (FeaturizerTests), mod 2^16.
        Assert.Equal([0, 2, 2], rows.RowStarts);
        var (hello, world) = ((int)(613153351u % 65536), (int)(4220927227u % 65536));
        Assert.Equal(new[] { hello, world }.Order(), rows.Indices);
        Assert.Equal(hello < world ? [2f, 1f] : [1f, 2f], rows.Values);
    }

    [Fact]
    public void Text_ngrams_sparse_refuses_what_the_dense_refuses_with_the_same_problem()
    {
        var featurizer = (ISparseFeaturizer)Create("text_ngrams", """{"buckets": 8}""");
        var notText = Bytes("text", [Encoding.UTF8.GetBytes("fine"), [0x61, 0xFF]], 2, 1);
        var wide = Strings("text", ["a", "b"], 1, 2);

        foreach (var input in new[] { notText, wide })
        {
            Assert.False(featurizer.TryRunSparse([input], out _, out var problem));
            Assert.Equal(RunRefusal(featurizer, input), problem);
        }
    }

    [Fact]
    public void Scale_sparse_is_every_column_of_the_dense_output_bit_for_bit()
    {
        AssertSameBits(Create("scale", """{"offset": [1, -2], "scale": [0.5, 4]}"""), InferenceTensor.Create("x", new[] { 3f, 0f, 1f, -2.5f, -1f, 1f }, 3, 2));
        AssertSameBits(Create("scale", """{"offset": [0.1], "scale": [3.3]}"""), InferenceTensor.Create("x", new[] { 0.7f, 0.1f, -1e30f }, 3, 1));
        var rows = Sparse(Create("scale", """{"offset": [1, 1], "scale": [1, 1]}"""), InferenceTensor.Create("x", new[] { 1f, 2f }, 1, 2));
        Assert.Equal([0, 1], rows.Indices);
        Assert.Equal([0f, 1f], rows.Values);
    }

    [Fact]
    public void Scale_sparse_refuses_another_width_as_the_dense_does()
    {
        var scale = (ISparseFeaturizer)Create("scale", """{"offset": [1, 2], "scale": [1, 1]}""");
        var input = InferenceTensor.Create("x", new float[3], 1, 3);

        Assert.False(scale.TryRunSparse([input], out _, out var problem));
        Assert.Equal("scale reads [B, 2], but tensor 'x' has shape [1,3]", problem);
    }

    [Fact]
    public void One_hot_sparse_is_one_entry_or_none_and_the_dense_output_bit_for_bit()
    {
        var integers = Create("one_hot", """{"categories": [3, 7, 11]}""");
        var values = InferenceTensor.Create("x", new long[] { 7, 5, 3, 11 }, 4, 1);
        AssertSameBits(integers, values);
        var rows = Sparse(integers, values);
        Assert.Equal([0, 1, 1, 2, 3], rows.RowStarts);
        Assert.Equal([1, 0, 2], rows.Indices);

        var strings = Create("one_hot", """{"categories": ["a", "é", "B"]}""");
        AssertSameBits(strings, Bytes("x", [[0xFF], [0xC3, 0xA9], [(byte)'a'], [(byte)'b'], [(byte)'B'], []], 6, 1));
        Assert.False(((ISparseFeaturizer)strings).TryRunSparse([Strings("x", ["a", "a"], 1, 2)], out _, out var problem));
        Assert.Equal(RunRefusal(strings, Strings("x", ["a", "a"], 1, 2)), problem);
    }

    [Fact]
    public void Hash_buckets_makes_bucket_ids_not_features_so_it_has_no_sparse_rows() =>
        Assert.IsNotAssignableFrom<ISparseFeaturizer>(Create("hash_buckets", """{"buckets": 16384}"""));

    [Theory]
    [InlineData("""{"buckets": 16384, "seed": 7}""")]
    [InlineData("""{"buckets": 3}""")]
    [InlineData("""{"buckets": 1}""")]
    public void Hash_buckets_counts_are_the_dense_bucket_ids_counted_row_by_row_bit_for_bit(string settings)
    {
        var featurizer = Assert.IsAssignableFrom<IBucketCountsFeaturizer>(Create("hash_buckets", settings));
        // Repeated values in a row, an empty value, and the reviews' text.
        string[] values = ["customer-000042", "merchant-00007", "customer-000042", "", "", "", .. Reviews[..6]];
        var input = Strings("identifiers", values, 4, 3);
        var ids = Run(featurizer, input).ToArray<long>();

        Assert.True(featurizer.TryRunCounts([input], out var counts, out var problem), problem);

        var expected = new float[4 * featurizer.Buckets];
        for (var i = 0; i < ids.Length; i++)
        {
            expected[(i / 3 * featurizer.Buckets) + ids[i]] += 1;
        }

        Assert.Equal(featurizer.Buckets, counts.Width);
        Assert.Equal(expected, counts.ToDense("out").ToArray<float>());
        Assert.Equal(SparseRows.FromIds(ids, 4, featurizer.Buckets).Indices, counts.Indices);
        Assert.True(counts.Values[counts.RowStarts[0]..counts.RowStarts[1]].Max() >= 2);
        Assert.Equal([3f], counts.Values[counts.RowStarts[1]..counts.RowStarts[2]]);
    }

    [Fact]
    public void Concat_of_sparse_parts_is_the_dense_concat_of_the_dense_parts_bit_for_bit()
    {
        var text = Strings("text", Reviews[..4], 4, 1);
        var amounts = InferenceTensor.Create("amounts", new[] { 12f, 0.5f, 3.25f, -1f, 100f, 0f, 7f, 7f }, 4, 2);
        var cities = Strings("city", ["oslo", "rome", "lima", ""], 4, 1);
        var words = Create("text_ngrams", """{"buckets": 32, "ngram_max": 2}""");
        var scale = Create("scale", """{"offset": [10, 0.5], "scale": [0.1, 2]}""");
        var oneHot = Create("one_hot", """{"categories": ["paris", "oslo", "lima"]}""");

        var dense = Run(Create("concat"), Run(words, text), Run(scale, amounts), Run(oneHot, cities));
        var sparse = SparseRows.Concat([Sparse(words, text), SparseRows.FromDense(Run(scale, amounts)), Sparse(oneHot, cities)]);

        Assert.Equal(37, sparse.Width);
        Assert.Equal(dense.Data.ToArray(), sparse.ToDense("out").Data.ToArray());
    }

    [Fact]
    public void Packed_rows_joined_and_split_as_bytes_tensors_are_the_rows_joined_and_split()
    {
        var featurizer = Create("text_ngrams", """{"buckets": 4096, "ngram_max": 2}""");
        var first = Sparse(featurizer, Strings("text", Reviews[..3], 3, 1));
        var second = Sparse(featurizer, Strings("text", Reviews[3..], Reviews.Length - 3, 1));

        var joined = TensorRows.Concat([first.ToTensor("a"), second.ToTensor("b")], "joined");
        var rows = SparseRows.FromTensor(joined, 4096);
        Assert.Equal(Run(featurizer, Strings("text", Reviews, Reviews.Length, 1)).Data.ToArray(), rows.ToDense("out").Data.ToArray());

        var parts = TensorRows.Split(joined, [3, Reviews.Length - 3], out _)!;
        Assert.Equal(second.ToDense("out").Data.ToArray(), SparseRows.FromTensor(parts[1], 4096).ToDense("out").Data.ToArray());
    }
}
