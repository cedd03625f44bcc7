// The small transformer as the emulator sees it: layout, parameter count, flops (against a
// hand count), activation memory; and the text data it trains on.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "algorithms/llm/device_memory.hpp"
#include "algorithms/llm/lm_methods.hpp"
#include "workloads/data/text_dataset.hpp"
#include "workloads/models/lm_trainer.hpp"
#include "workloads/models/transformer.hpp"

using namespace flemu;
using Catch::Contains;

namespace {
// The hand-counted model: V 10, C 4, d 8, one block, 2 heads, MLP 16.
TransformerSpec tiny() {
  TransformerSpec s;
  s.vocab = 10;
  s.context = 4;
  s.d_model = 8;
  s.layers = 1;
  s.heads = 2;
  s.mlp_hidden = 16;
  return s;
}
}  // namespace

TEST_CASE("transformer layout: parameters counted by hand, heads addressable", "[transformer]") {
  const auto layout = transformer_layout(tiny());
  // tok 10x8 + pos 4x8 + block (2x8 ln1 + 4x(8x8+8) attn + 2x8 ln2 + 16x8+16 fc + 8x16+8 proj)
  // + 2x8 ln_f + 10x8 head = 80 + 32 + 600 + 16 + 80
  const auto& last = layout.back();
  CHECK(last.offset + last.numel == 808);
  CHECK(layout.front().name == "tok_emb");
  CHECK(last.name == "head.weight");
  std::set<std::string> names;
  for (const auto& t : layout) names.insert(t.name);
  for (const char* n : {"blocks.0.attn.q.weight", "blocks.0.attn.o.bias", "blocks.0.mlp.fc.weight", "ln_f.bias"})
    CHECK(names.count(n));
  for (const auto& t : layout) CHECK(t.trainable);
  // LoRA r=2 on q and v: 2 x (2x8 + 8x2) = 64 more, only they train.
  FineTuneSpec lora;
  lora.trainable = Trainable::Lora;
  lora.lora.rank = 2;
  const auto with = transformer_layout(tiny(), lora);
  CHECK(with.back().offset + with.back().numel == 808 + 64);
  int64_t trainable = 0;
  for (const auto& t : with) trainable += t.trainable ? t.numel : 0;
  CHECK(trainable == 64);
  CHECK(with[with.size() - 4].name == "blocks.0.lora.q.A");
}

TEST_CASE("transformer flops: forward and training match a hand count", "[transformer]") {
  // Per sequence (T = C = 4): qkv 3 x 2x4x8x8 = 1536, scores + weighted sum 2 x 2x4x4x8 = 512,
  // o 512, fc 2x4x8x16 = 1024, proj 1024, head 2x4x8x10 = 640: 5248.
  const auto f = transformer_flops(tiny());
  CHECK(f.forward == 5248);
  CHECK(f.train == 3 * 5248);  // every weight trains: weight and input gradients everywhere
  CHECK(block_forward_flops(tiny(), 4) == 1536 + 512 + 512 + 1024 + 1024);
  // LoRA r=2 on q, v: forward + 2 adapters x (2x4x8x2 + 2x4x2x8) = +512. Backward: adapters'
  // weight gradients 512 and the gradient into A's output 256; nothing before q trains, so q,
  // k, v need no input gradient; then the attention core 2x512, o 512, fc 1024, proj 1024,
  // head 640 input gradients.
  FineTuneSpec lora;
  lora.trainable = Trainable::Lora;
  lora.lora.rank = 2;
  const auto fl = transformer_flops(tiny(), lora);
  CHECK(fl.forward == 5248 + 512);
  CHECK(fl.train == 5248 + 512 + 512 + 256 + 1024 + 512 + 1024 + 1024 + 640);
  CHECK(fl.train < f.train);
}

TEST_CASE("transformer flops of a split: head, body and tail add up", "[transformer]") {
  TransformerSpec s = tiny();
  s.layers = 3;
  FineTuneSpec ft;
  ft.trainable = Trainable::PromptTail;
  ft.prompt_tokens = 2;
  ft.split = {1, 1};
  const auto f = transformer_flops(s, ft);
  const double block6 = block_forward_flops(s, 6);  // T = 4 + 2 prompt positions
  CHECK(f.head_forward == block6);
  CHECK(f.body_forward == block6);
  CHECK(f.tail_forward == block6 + 640);
  CHECK(f.forward == f.head_forward + f.body_forward + f.tail_forward);
  // The prompt is upstream of everything: the frozen body's backward is its input gradient,
  // 1x its projections and MLP and 2x its attention core.
  const double core = 2 * 2.0 * 6 * 6 * 8;
  CHECK(f.body_backward == (block6 - core) + 2 * core);
  CHECK(f.train == f.forward + f.head_backward + f.body_backward + f.tail_backward);
}

TEST_CASE("transformer checks: heads divide d, split points fit, LoRA targets known", "[transformer]") {
  TransformerSpec s = tiny();
  s.heads = 3;
  CHECK_THROWS_WITH(check_transformer(s), Contains("divisible by heads"));
  FineTuneSpec ft;
  ft.split = {1, 1};
  CHECK_THROWS_WITH(check_transformer(tiny(), ft), Contains("head_layers + tail_layers"));
  FineTuneSpec lora;
  lora.trainable = Trainable::Lora;
  lora.lora.targets = {"q", "emb"};
  CHECK_THROWS_WITH(check_transformer(tiny(), lora), Contains("\"emb\""));
}

TEST_CASE("activation memory: a frozen prefix keeps nothing, the head keeps its log-probabilities", "[transformer]") {
  TransformerSpec s = tiny();
  const double block = 4.0 * (4 * (8 * 8 + 2 * 16) + 2 * 4 * 4);
  const double head = 4.0 * (4 * 8 + 4 * 8 + 4 * 10);
  CHECK(activation_bytes_per_window(s, {}, 0, 1, true) == block + head);
  FineTuneSpec ft;
  ft.trainable = Trainable::PromptTail;  // no prompt, tail = the last block: block 0 frozen and first
  ft.split = {0, 0};
  CHECK(activation_bytes_per_window(s, ft, 0, 1, false) == 0);
  CHECK(activation_bytes_per_window(s, ft, 0, 1, true) == head);
}

TEST_CASE("device memory: LoRA and FedKSeed keep less than full fine-tuning", "[transformer]") {
  TransformerSpec s;  // d 128, 4 layers: a body of 2 on the server
  s.layers = 4;
  AlgorithmSpec a;
  a.batch_size = 8;
  auto mem = [&](const std::string& name) {
    a.name = name;
    return estimate_device_memory(describe_lm(lm_job_spec(s, a, 1)), a);
  };
  const auto full = mem("fedavg"), lora = mem("lora"), zo = mem("fedkseed"), sfp = mem("sfprompt");
  CHECK(full.gradients == full.parameters);  // every parameter trains
  CHECK(lora.gradients < full.gradients / 50);
  CHECK(zo.activations == 0);
  CHECK(zo.total() < full.total());
  CHECK(sfp.parameters < full.parameters);  // the body stays on the server
  CHECK(full.total() > full.parameters + full.activations);
}

TEST_CASE("text data: windows, fixed held-out texts per client, byte and char tokens", "[text]") {
  const auto texts = synthetic_category_texts({"a", "b"}, 20, 7);
  REQUIRE(texts.size() == 2);
  CHECK(texts == synthetic_category_texts({"a", "b"}, 20, 7));
  const auto d = make_text_data(Vocabulary::bytes(), 16, texts, {"a", "b"}, 0.2, 99);
  REQUIRE(d.num_clients() == 2);
  for (int c = 0; c < 2; ++c) {
    CHECK_FALSE(d.train_parts[c].empty());
    CHECK_FALSE(d.test_parts[c].empty());
    for (int32_t w : d.train_parts[c]) CHECK(d.train_windows[w] + 17 <= static_cast<int64_t>(d.tokens.size()));
  }
  // The same texts give the same split, whatever else changes.
  const auto again = make_text_data(Vocabulary::bytes(), 16, texts, {"a", "b"}, 0.2, 99);
  CHECK(again.tokens == d.tokens);
  CHECK(again.test_windows == d.test_windows);
  // Byte tokens round-trip; end-of-text is 256.
  const auto v = Vocabulary::bytes();
  CHECK(v.size() == 257);
  CHECK(v.decode(v.encode("caf\xc3\xa9")) == "caf\xc3\xa9");
  // Char tokens: one per code point of the corpus, then unknown and end-of-text.
  const std::vector<std::string> corpus = {"ab\xc3\xa9", "ba"};
  const auto cv = Vocabulary::characters({&corpus});
  CHECK(cv.size() == 3 + 2);
  CHECK(cv.encode("\xc3\xa9" "a") == std::vector<int32_t>{2, 0});
  CHECK(cv.encode("z") == std::vector<int32_t>{3});  // unknown
  CHECK(cv.decode({1, 2}) == "b\xc3\xa9");
  CHECK_THROWS_WITH(make_text_data(v, 1000, texts, {"a", "b"}, 0.2, 99), Contains("too little for one training window"));
}

TEST_CASE("texts dealt over categories by Dirichlet proportions", "[text]") {
  const auto texts = synthetic_category_texts({"a", "b", "c"}, 30, 3);
  std::map<std::string, int> category;
  for (int c = 0; c < 3; ++c)
    for (const auto& t : texts[c]) category[t] = c;
  PartitionSpec p;
  p.scheme = PartitionScheme::Dirichlet;
  p.alpha = 0.1;
  const auto clients = deal_texts(texts, 4, 10, p, 5);
  REQUIRE(clients.size() == 4);
  int skewed = 0;
  for (const auto& c : clients) {
    CHECK(c.size() == 10);
    int count[3] = {0, 0, 0};
    for (const auto& t : c) ++count[category.at(t)];
    skewed += *std::max_element(count, count + 3) >= 7;
  }
  CHECK(skewed >= 3);  // Dirichlet(0.1): mostly one category per client
  CHECK(deal_texts(texts, 4, 10, p, 5) == clients);
}
