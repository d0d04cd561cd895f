// sefleet admin token create|list|revoke: terminal tokens, each scoped to its campaigns.
#include <iostream>
#include <memory>

#include "admin_commands.hpp"
#include "admin_render.hpp"
#include "command.hpp"
#include "offcard/api/json_codec.hpp"

namespace sefleet::cli {
namespace {

namespace api = offcard::api;

struct CreateOptions {
  AdminOptions admin;
  std::string name;
  std::vector<std::string> campaigns;
};

void setup_create(CLI::App& token) {
  auto o = std::make_shared<CreateOptions>();
  auto* cmd = add_command(token, "create", "Create a terminal token for campaigns (printed once, never stored)");
  add_admin_options(*cmd, o->admin);
  cmd->add_option("--name", o->name, "Name of the terminal or line the token is for")->required();
  cmd->add_option("--campaign", o->campaigns, "Campaign id the token may serve (any case); repeatable")
      ->required()
      ->check(campaign_id_check());
  cmd->callback([o] {
    const api::TokenCreated created = connect_admin(o->admin).create_token(api::TokenCreate{o->name, o->campaigns});
    if (o->admin.json) {
      std::cout << api::to_json(created).dump(2) << "\n";
      return;
    }
    std::cout << "token " << created.id << " (" << created.name << ") for " << created.campaigns.size()
              << " campaign(s); it is shown only now:\n"
              << created.token << "\n";
  });
}

void setup_token_list(CLI::App& token) {
  auto o = std::make_shared<AdminOptions>();
  auto* cmd = add_command(token, "list", "List the terminal tokens (never the tokens themselves)");
  add_admin_options(*cmd, *o);
  cmd->callback([o] {
    const api::TokenList list = connect_admin(*o).tokens();
    if (o->json) {
      std::cout << api::to_json(list).dump(2) << "\n";
    } else {
      admin_render::print_token_table(std::cout, list);
    }
  });
}

struct RevokeOptions {
  AdminOptions admin;
  std::int64_t id = 0;
};

void setup_revoke(CLI::App& token) {
  auto o = std::make_shared<RevokeOptions>();
  auto* cmd = add_command(token, "revoke",
                          "Revoke a terminal token (refused at once; by other servers on the database within 1 s)");
  add_admin_options(*cmd, o->admin);
  cmd->add_option("id", o->id, "Token id (from token list)")->required()->check(CLI::PositiveNumber);
  cmd->callback([o] {
    const api::TokenDeleted deleted = connect_admin(o->admin).revoke_token(o->id);
    if (o->admin.json) {
      std::cout << api::to_json(deleted).dump(2) << "\n";
    } else {
      std::cout << "token " << deleted.deleted << " revoked\n";
    }
  });
}

}  // namespace

void setup_admin_token(CLI::App& admin) {
  auto* token = add_command(admin, "token", "Terminal tokens: create, list, revoke");
  token->require_subcommand(1);
  setup_create(*token);
  setup_token_list(*token);
  setup_revoke(*token);
}

}  // namespace sefleet::cli
