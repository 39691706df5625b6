#include "vk/spirv_reflect.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>

namespace gt::vk {

namespace {

constexpr uint32_t kMagic = 0x07230203u;
constexpr size_t kHeaderWords = 5;
constexpr int kMaxTypeDepth = 64;

// Opcodes, decorations and storage classes read here (SPIR-V specification, section 3).
enum Op : uint32_t {
  kOpName = 5,
  kOpTypeInt = 21,
  kOpTypeFloat = 22,
  kOpTypeVector = 23,
  kOpTypeMatrix = 24,
  kOpTypeImage = 25,
  kOpTypeArray = 28,
  kOpTypeRuntimeArray = 29,
  kOpTypeStruct = 30,
  kOpTypePointer = 32,
  kOpConstant = 43,
  kOpSpecConstant = 50,
  kOpVariable = 59,
  kOpDecorate = 71,
  kOpMemberDecorate = 72,
};
enum Decoration : uint32_t {
  kBlock = 2,
  kBufferBlock = 3,
  kArrayStride = 6,
  kMatrixStride = 7,
  kBinding = 33,
  kDescriptorSet = 34,
  kOffset = 35,
};
enum StorageClass : uint32_t {
  kUniformConstant = 0,
  kUniform = 2,
  kPushConstant = 9,
  kStorageBuffer = 12,
};
constexpr uint32_t kDimBuffer = 5;

// "%12": an id as the disassembler writes it. (Appended, not "%" + ...: GCC 12 warns wrongly.)
std::string ref(uint32_t id) {
  std::string s = "%";
  s += std::to_string(id);
  return s;
}

struct Type {
  uint32_t op = 0;
  std::vector<uint32_t> operands;  // the words after the result id
  size_t word = 0;                 // where it was declared, for messages
};

struct Decorations {
  std::optional<uint32_t> binding, set, array_stride;
  bool block = false, buffer_block = false;
};

struct MemberDecorations {
  std::optional<uint32_t> offset, matrix_stride;
};

struct Variable {
  uint32_t id, pointer_type, storage;
  size_t word;
};

class Module {
 public:
  Module(std::span<const uint32_t> words, std::string_view label) : words_(words), label_(label) {}

  ShaderInterface reflect() {
    parse_header();
    for (size_t at = kHeaderWords; at < words_.size();)
      at += parse_instruction(at);
    ShaderInterface out;
    for (const Variable& v : variables_)
      add_variable(v, out);
    std::sort(out.bindings.begin(), out.bindings.end(),
              [](const ReflectedBinding& a, const ReflectedBinding& b) {
                return a.set != b.set ? a.set < b.set : a.binding < b.binding;
              });
    return out;
  }

 private:
  [[noreturn]] void fail(size_t word, const std::string& what) const {
    throw SpirvError(std::string(label_) + ": malformed SPIR-V at word " + std::to_string(word) +
                     ": " + what);
  }

  void parse_header() {
    if (words_.size() < kHeaderWords)
      fail(0, "the module has " + std::to_string(words_.size()) +
                  " words, fewer than the 5 of the header");
    if (words_[0] != kMagic) {
      const bool swapped = words_[0] == 0x03022307u;
      fail(0, "the magic number is " + hex(words_[0]) + ", not 0x07230203" +
                  (swapped ? " (the module's byte order is swapped)" : ""));
    }
    bound_ = words_[3];
  }

  static std::string hex(uint32_t v) {
    static const char* digits = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4)
      s += digits[(v >> shift) & 0xf];
    return s;
  }

  // Reads the instruction at `at` and returns its word count.
  size_t parse_instruction(size_t at) {
    const uint32_t count = words_[at] >> 16;
    const uint32_t opcode = words_[at] & 0xffffu;
    if (count == 0)
      fail(at, "instruction with opcode " + std::to_string(opcode) + " has word count 0");
    if (count > words_.size() - at)
      fail(at, "instruction with opcode " + std::to_string(opcode) + " has " +
                   std::to_string(count) + " words, running past the end of the module (" +
                   std::to_string(words_.size()) + " words)");
    const std::span<const uint32_t> ops = words_.subspan(at + 1, count - 1);
    auto need = [&](size_t n) {
      if (ops.size() < n)
        fail(at, "instruction with opcode " + std::to_string(opcode) + " has " +
                     std::to_string(ops.size()) + " operand words, needs at least " +
                     std::to_string(n));
    };
    switch (opcode) {
      case kOpName:
        need(2);
        names_[id(at, ops[0])] = string_at(at, ops.subspan(1));
        break;
      case kOpDecorate:
        need(2);
        decorate(at, ops);
        break;
      case kOpMemberDecorate:
        need(3);
        if (ops[2] == kOffset || ops[2] == kMatrixStride) {
          need(4);
          MemberDecorations& m = members_[member_key(id(at, ops[0]), ops[1])];
          (ops[2] == kOffset ? m.offset : m.matrix_stride) = ops[3];
        }
        break;
      case kOpConstant:
      case kOpSpecConstant:
        need(3);
        // Array lengths: 32-bit integers (a 64-bit one only when its high word is zero).
        if (ops.size() == 3 || (ops.size() == 4 && ops[3] == 0))
          constants_[id(at, ops[1])] = ops[2];
        break;
      case kOpVariable:
        need(3);
        variables_.push_back({id(at, ops[1]), id(at, ops[0]), ops[2], at});
        break;
      default:
        if (is_type_declaration(opcode)) {
          need(1);
          types_[id(at, ops[0])] = Type{opcode, {ops.begin() + 1, ops.end()}, at};
        }
        break;
    }
    return count;
  }

  // OpTypeVoid .. OpTypePipe (not OpTypeForwardPointer, 39: it declares no id), and the
  // extensions' types a descriptor can have.
  static bool is_type_declaration(uint32_t opcode) {
    return (opcode >= 19 && opcode <= 38) || opcode == 322 || opcode == 327 || opcode == 4472 ||
           opcode == 5341;
  }

  uint32_t id(size_t at, uint32_t value) const {
    if (value == 0 || value >= bound_)
      fail(at, "id " + std::to_string(value) + " is outside the module's bound " +
                   std::to_string(bound_));
    return value;
  }

  static uint64_t member_key(uint32_t type, uint32_t member) {
    return (uint64_t(type) << 32) | member;
  }

  // A literal string: bytes in little-endian order, ending with a zero byte inside `ops`.
  std::string string_at(size_t at, std::span<const uint32_t> ops) const {
    std::string s;
    for (uint32_t w : ops)
      for (int byte = 0; byte < 4; ++byte) {
        const char c = static_cast<char>((w >> (8 * byte)) & 0xffu);
        if (c == '\0') return s;
        s += c;
      }
    fail(at, "a string operand is not terminated within its instruction");
  }

  void decorate(size_t at, std::span<const uint32_t> ops) {
    Decorations& d = decorations_[id(at, ops[0])];
    const uint32_t decoration = ops[1];
    if (decoration == kBlock) d.block = true;
    if (decoration == kBufferBlock) d.buffer_block = true;
    if (decoration == kBinding || decoration == kDescriptorSet || decoration == kArrayStride) {
      if (ops.size() < 3)
        fail(at, "decoration " + std::to_string(decoration) + " of %" + std::to_string(ops[0]) +
                     " has no value");
      (decoration == kBinding         ? d.binding
       : decoration == kDescriptorSet ? d.set
                                      : d.array_stride) = ops[2];
    }
  }

  const Type& type(uint32_t id, size_t used_at) const {
    const auto it = types_.find(id);
    if (it == types_.end()) fail(used_at, ref(id) + " is not a type");
    return it->second;
  }

  const Type& operand_type(const Type& t, size_t i) const {
    if (t.operands.size() <= i)
      fail(t.word,
           "type instruction with opcode " + std::to_string(t.op) + " has too few operands");
    return type(t.operands[i], t.word);
  }

  uint32_t array_length(const Type& t) const {
    if (t.operands.size() < 2) fail(t.word, "OpTypeArray without a length");
    const auto it = constants_.find(t.operands[1]);
    if (it == constants_.end())
      fail(t.word, "the array length %" + std::to_string(t.operands[1]) +
                       " is not a 32-bit integer constant");
    return it->second;
  }

  std::string name_of(uint32_t id) const {
    const auto it = names_.find(id);
    return it != names_.end() && !it->second.empty() ? it->second : std::string();
  }

  // Bytes of a value of type `id` in an explicitly laid out block (Offset, ArrayStride and
  // MatrixStride decorations where they apply); `member` is the decorations of the struct member
  // it is the type of, if it is one. Runtime arrays have size 0.
  uint64_t size_of(uint32_t id, const MemberDecorations* member, size_t used_at, int depth) {
    if (depth > kMaxTypeDepth) fail(used_at, "types nested too deeply (or cyclic)");
    const Type& t = type(id, used_at);
    uint64_t size = 0;
    switch (t.op) {
      case kOpTypeInt:
      case kOpTypeFloat:
        if (t.operands.empty()) fail(t.word, "a scalar type without a width");
        size = t.operands[0] / 8;
        break;
      case kOpTypeVector:
        if (t.operands.size() < 2) fail(t.word, "OpTypeVector without a component count");
        size = t.operands[1] * size_of(t.operands[0], nullptr, t.word, depth + 1);
        break;
      case kOpTypeMatrix: {
        if (t.operands.size() < 2) fail(t.word, "OpTypeMatrix without a column count");
        const uint64_t column = member && member->matrix_stride
                                    ? *member->matrix_stride
                                    : size_of(t.operands[0], nullptr, t.word, depth + 1);
        size = t.operands[1] * column;
        break;
      }
      case kOpTypeArray: {
        operand_type(t, 0);
        const auto d = decorations_.find(id);
        const uint64_t stride = d != decorations_.end() && d->second.array_stride
                                    ? *d->second.array_stride
                                    : size_of(t.operands[0], nullptr, t.word, depth + 1);
        size = array_length(t) * stride;
        break;
      }
      case kOpTypeRuntimeArray:
        break;
      case kOpTypeStruct:
        size = struct_size(id, t, depth);
        break;
      default:
        fail(t.word, "a block member of type opcode " + std::to_string(t.op) +
                         " (only integers, floats, vectors, matrices, arrays and structs)");
    }
    if (size > std::numeric_limits<uint32_t>::max()) fail(t.word, "a type of more than 4 GiB");
    return size;
  }

  uint64_t struct_size(uint32_t id, const Type& t, int depth) {
    if (const auto it = struct_sizes_.find(id); it != struct_sizes_.end()) {
      if (!it->second) fail(t.word, "a struct contains itself");
      return *it->second;
    }
    struct_sizes_[id] = std::nullopt;  // in progress
    uint64_t end = 0, next = 0;
    for (uint32_t i = 0; i < t.operands.size(); ++i) {
      const auto m = members_.find(member_key(id, i));
      const MemberDecorations* md = m != members_.end() ? &m->second : nullptr;
      const uint64_t offset = md && md->offset ? *md->offset : next;
      next = offset + size_of(t.operands[i], md, t.word, depth + 1);
      end = std::max(end, next);
    }
    struct_sizes_[id] = end;
    return end;
  }

  void add_variable(const Variable& v, ShaderInterface& out) {
    const Type& pointer = type(v.pointer_type, v.word);
    if (pointer.op != kOpTypePointer || pointer.operands.size() < 2)
      fail(v.word, "the type of variable %" + std::to_string(v.id) + " is not a pointer");
    if (pointer.operands[0] != v.storage)
      fail(v.word, "variable %" + std::to_string(v.id) +
                       "'s storage class differs from its pointer type's");
    if (v.storage == kPushConstant) {
      out.push_constant_bytes = std::max<uint32_t>(
          out.push_constant_bytes,
          static_cast<uint32_t>(size_of(pointer.operands[1], nullptr, v.word, 0)));
      return;
    }
    if (v.storage != kUniform && v.storage != kStorageBuffer && v.storage != kUniformConstant)
      return;
    const auto d = decorations_.find(v.id);
    if (d == decorations_.end() || !d->second.binding)
      fail(v.word, "resource variable %" + std::to_string(v.id) + " has no Binding decoration");
    ReflectedBinding b;
    b.set = d->second.set.value_or(0);
    b.binding = *d->second.binding;
    // An array of descriptors: the element type, and the length.
    uint32_t pointee = pointer.operands[1];
    const Type* t = &type(pointee, v.word);
    if (t->op == kOpTypeArray || t->op == kOpTypeRuntimeArray) {
      b.count = t->op == kOpTypeArray ? array_length(*t) : 0;
      pointee = t->operands.empty() ? 0 : t->operands[0];
      t = &operand_type(*t, 0);
    }
    const auto pd = decorations_.find(pointee);
    const bool block = pd != decorations_.end() && pd->second.block;
    const bool buffer_block = pd != decorations_.end() && pd->second.buffer_block;
    if (v.storage == kStorageBuffer)
      b.kind = DescriptorKind::storage_buffer;
    else if (v.storage == kUniform && t->op == kOpTypeStruct && buffer_block)
      b.kind = DescriptorKind::storage_buffer;
    else if (v.storage == kUniform && t->op == kOpTypeStruct && block)
      b.kind = DescriptorKind::uniform_buffer;
    else if (v.storage == kUniformConstant && t->op == kOpTypeImage) {
      if (t->operands.size() < 6) fail(t->word, "OpTypeImage with too few operands");
      if (t->operands[1] == kDimBuffer && t->operands[5] == 1)
        b.kind = DescriptorKind::uniform_texel_buffer;
      if (t->operands[1] == kDimBuffer && t->operands[5] == 2)
        b.kind = DescriptorKind::storage_texel_buffer;
    }
    b.name = name_of(v.id);
    if (b.name.empty()) b.name = name_of(pointee);
    if (b.name.empty()) b.name = ref(v.id);
    out.bindings.push_back(std::move(b));
  }

  std::span<const uint32_t> words_;
  std::string_view label_;
  uint32_t bound_ = 0;
  std::unordered_map<uint32_t, Type> types_;
  std::unordered_map<uint32_t, uint32_t> constants_;
  std::unordered_map<uint32_t, std::string> names_;
  std::unordered_map<uint32_t, Decorations> decorations_;
  std::unordered_map<uint64_t, MemberDecorations> members_;
  std::unordered_map<uint32_t, std::optional<uint64_t>> struct_sizes_;
  std::vector<Variable> variables_;
};

}  // namespace

std::string_view kind_name(DescriptorKind kind) {
  switch (kind) {
    case DescriptorKind::uniform_buffer:
      return "uniform buffer";
    case DescriptorKind::storage_buffer:
      return "storage buffer";
    case DescriptorKind::uniform_texel_buffer:
      return "uniform texel buffer";
    case DescriptorKind::storage_texel_buffer:
      return "storage texel buffer";
    case DescriptorKind::other:
      break;
  }
  return "other descriptor";
}

const ReflectedBinding* ShaderInterface::find(uint32_t binding, uint32_t set) const {
  for (const ReflectedBinding& b : bindings)
    if (b.set == set && b.binding == binding) return &b;
  return nullptr;
}

ShaderInterface reflect_spirv(std::span<const uint32_t> words, std::string_view label) {
  return Module(words, label).reflect();
}

}  // namespace gt::vk
